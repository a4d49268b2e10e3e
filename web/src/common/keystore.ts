// One object store of IndexedDB, the place a phone's keys live: a CryptoKey kept there stays
// a CryptoKey (non-extractable ones included), which localStorage could not hold. Every store
// is forgotten when the session ends: a key left behind would let the next person at this
// browser sign the last one's health code or pay with their payer code.

import { onSessionChange } from "./session";

const databases = new Set<string>();

onSessionChange((tokens) => {
  if (tokens === null) for (const database of databases) indexedDB.deleteDatabase(database);
});

export interface KeyStore<T> {
  get(id: IDBValidKey): Promise<T | undefined>;
  put(id: IDBValidKey, value: T): Promise<void>;
  all(): Promise<T[]>;
}

function opened(database: string, store: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(database, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(store);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function inStore<R>(
  database: string,
  store: string,
  mode: IDBTransactionMode,
  run: (objects: IDBObjectStore) => IDBRequest,
): Promise<R> {
  const db = await opened(database, store);
  try {
    return await new Promise<R>((resolve, reject) => {
      const request = run(db.transaction(store, mode).objectStore(store));
      request.onsuccess = () => resolve(request.result as R);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

export function keyStore<T>(database: string, store: string): KeyStore<T> {
  databases.add(database);
  return {
    get: (id) => inStore<T | undefined>(database, store, "readonly", (objects) => objects.get(id)),
    put: async (id, value) => {
      await inStore(database, store, "readwrite", (objects) => objects.put(value, id));
    },
    all: () => inStore<T[]>(database, store, "readonly", (objects) => objects.getAll()),
  };
}
