// The one way the pages talk to Yimen: openapi-fetch over the types that openapi-typescript
// generates from the committed openapi/openapi.json (`npm run types`), so every path,
// parameter and field is checked by tsc. Sends the bearer token and the chosen locale,
// refreshes the token before it expires and once more on a 401, and signs out when the
// refresh is refused.

import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { currentTokens, keepTokens, type Tokens } from "./session";
import { currentLocale } from "./i18n";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** An answer that was not a success, with the problem the API gave (a made-up one when the
 * answer was no problem document, e.g. a proxy's page or no network). */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title);
  }
}

// Refresh this long before the access token expires, so a request never leaves with a token
// that dies on the way.
const MARGIN_MS = 30_000;

let refreshing: Promise<Tokens | null> | null = null;

function tokensFrom(pair: Schemas["TokenPair"]): Tokens {
  return {
    access: pair.access_token,
    refresh: pair.refresh_token,
    expiresAt: Date.now() + pair.expires_in * 1000,
  };
}

// A refresh token works once, and tabs of one browser share the pair: a second tab presenting
// the one the first just spent would end the whole session. So one tab at a time refreshes,
// under a lock every tab of the origin sees, and a tab that finds the pair already renewed
// takes it rather than refreshing again.
const REFRESH_LOCK = "yimen.refresh";

function underLock<T>(run: () => Promise<T>): Promise<T> {
  if (!navigator.locks) return run();
  return navigator.locks.request(REFRESH_LOCK, run) as Promise<T>;
}

async function refreshOnce(stale: Tokens): Promise<Tokens | null> {
  const now = currentTokens();
  if (now === null) return null;
  if (now.refresh !== stale.refresh) return now;
  const answer = await plain.POST("/v1/auth/refresh", {
    body: { refresh_token: stale.refresh },
  });
  if (answer.data) {
    // Signed out (or in again) while the answer was on its way: that stands.
    if (currentTokens()?.refresh !== stale.refresh) return currentTokens();
    const tokens = tokensFrom(answer.data);
    keepTokens(tokens);
    return tokens;
  }
  // Only the server's word that the session is over ends it here; a refusal for the rate, a
  // failing server or no network leaves the pair for the next try.
  if (answer.response.status === 401 || answer.response.status === 403) {
    keepTokens(null);
    return null;
  }
  throw problemOf(answer.error, answer.response.status);
}

/** Fresh tokens, refreshing at most once at a time however many requests and tabs ask. */
export function refreshed(stale: Tokens): Promise<Tokens | null> {
  refreshing ??= underLock(() => refreshOnce(stale)).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A new token pair now: the profile (locale, elder mode) rides in the access token's claims,
 * so a change to it shows in the launcher once the token is renewed. */
export async function renewSession(): Promise<void> {
  const tokens = currentTokens();
  if (tokens) await refreshed(tokens);
}

async function usableTokens(): Promise<Tokens | null> {
  const tokens = currentTokens();
  if (tokens && tokens.expiresAt - Date.now() < MARGIN_MS) return refreshed(tokens);
  return tokens;
}

// The refusals of a token itself, which a renewed token may answer; any other 401 (a wrong
// login code) is the answer, and is not sent again.
const TOKEN_REFUSED = new Set(["token_invalid", "token_expired", "token_revoked"]);

const retries = new Map<string, { request: Request; access: string }>();

async function tokenRefused(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  try {
    const problem: unknown = await response.clone().json();
    return isProblem(problem) && TOKEN_REFUSED.has(problem.code);
  } catch {
    return false;
  }
}

const session: Middleware = {
  async onRequest({ request, id }) {
    request.headers.set("Accept-Language", currentLocale());
    const tokens = await usableTokens();
    if (tokens) {
      request.headers.set("Authorization", `Bearer ${tokens.access}`);
      retries.set(id, { request: request.clone(), access: tokens.access });
    }
    return request;
  },
  async onResponse({ response, id }) {
    const sent = retries.get(id);
    retries.delete(id);
    if (!sent || !(await tokenRefused(response))) return response;
    const stored = currentTokens();
    // Another request or tab renewed the pair while this one was out: use theirs.
    const tokens =
      stored && stored.access !== sent.access ? stored : stored ? await refreshed(stored) : null;
    if (!tokens) return response;
    sent.request.headers.set("Authorization", `Bearer ${tokens.access}`);
    return fetch(sent.request);
  },
  onError({ id }) {
    retries.delete(id);
  },
};

const plain = createClient<paths>({ baseUrl: location.origin });
export const api = createClient<paths>({ baseUrl: location.origin });
api.use(session);

export function signIn(pair: Schemas["TokenPair"]): void {
  keepTokens(tokensFrom(pair));
}

const leaving: Array<() => Promise<unknown>> = [];
// What a task may hold up signing out: a phone offline still signs out at once.
const LEAVING_MS = 3000;

/** Work done while the session is still good, when the person signs out here: turning off
 * on the server what this phone enrolled, whose key the browser is about to forget. */
export function onSignOut(task: () => Promise<unknown>): void {
  leaving.push(task);
}

let signingOut: Promise<void> | null = null;

/** Sign out here: the tasks first, while the token is good, then the pair is dropped and the
 * session ended on the server. A second call while one runs joins it. */
export function signOut(): Promise<void> {
  signingOut ??= leave().finally(() => {
    signingOut = null;
  });
  return signingOut;
}

async function leave(): Promise<void> {
  const tokens = currentTokens();
  if (!tokens) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise((resolve) => (timer = setTimeout(resolve, LEAVING_MS)));
  const tasks = leaving.map((task) => Promise.resolve().then(task));
  await Promise.race([Promise.allSettled(tasks), waited]);
  clearTimeout(timer);
  // A task's call may have found the session over already: it was ended then, not left.
  if (currentTokens() !== null) keepTokens(null, "left");
  try {
    await plain.POST("/v1/auth/logout", { body: { refresh_token: tokens.refresh } });
  } catch {
    // Offline: the browser holds the pair no more, and it dies on the server at its expiry.
  }
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Problem).title === "string" &&
    typeof (value as Problem).code === "string"
  );
}

/** The data of a call that must succeed; an ApiProblem with the API's own title otherwise. */
export function need<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  throw problemOf(result.error, result.response.status);
}

/** A call answered with no content. */
export function done(result: { error?: unknown; response: Response }): void {
  if (!result.response.ok) throw problemOf(result.error, result.response.status);
}

export function problemOf(error: unknown, status: number): ApiProblem {
  if (isProblem(error)) return new ApiProblem(error);
  return new ApiProblem({
    type: "about:blank",
    code: "unreadable_answer",
    status,
    title: "",
  });
}

/** A rejected promise from the network itself (offline, refused): also shown as a problem. */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem({ type: "about:blank", code: "network_error", status: 0, title: "" });
}
