// The signed-in session of this browser: the token pair, kept in localStorage under one key
// per page so the shell and the console sign in apart. A strict content security policy
// (no inline or outside scripts) is what keeps other code from reading it.

export interface Tokens {
  access: string;
  refresh: string;
  /** When the access token stops working, in ms since the epoch. */
  expiresAt: number;
}

const KEY = `yimen.session${location.pathname.startsWith("/console") ? ".console" : ""}`;

/** Why the tokens changed: a sign-in or refresh, the person leaving, or the session ending
 * under them (a refresh refused). */
export type Change = "kept" | "left" | "ended";
type Listener = (tokens: Tokens | null, why: Change) => void;
const listeners = new Set<Listener>();

export function currentTokens(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

export function keepTokens(tokens: Tokens | null, why: Change = tokens ? "kept" : "ended"): void {
  if (tokens) localStorage.setItem(KEY, JSON.stringify(tokens));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener(tokens, why);
}

// Another tab of this page signing in, refreshing or out changes the one pair all share.
addEventListener("storage", (event) => {
  if (event.key !== KEY) return;
  const tokens = currentTokens();
  for (const listener of listeners) listener(tokens, tokens ? "kept" : "left");
});

/** Called with the new tokens on every sign-in, refresh and sign-out; returns the unsubscribe. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
