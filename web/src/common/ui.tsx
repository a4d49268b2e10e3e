// Pieces both pages use: the problem banner, the login form, and a hook that loads data and
// turns any failure into a problem shown in words.

import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, need, signIn, type Problem } from "./api";
import { currentTokens, onSessionChange } from "./session";
import { t } from "./i18n";
import { elderLook, showElderLook } from "./look";

/** The problem's own localised title; our words where the answer held none. */
export function problemText(problem: Problem): string {
  if (problem.title) return problem.title;
  return problem.code === "network_error" ? t("networkError") : t("unreadable");
}

export function ProblemBanner({ problem }: { problem: Problem | null }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert" data-code={problem.code}>
      <strong>{problemText(problem)}</strong>
      {problem.errors?.map((error) => (
        <div key={error.field}>
          {error.field}: {error.message}
        </div>
      ))}
    </div>
  );
}

export interface Loaded<T> {
  data: T | null;
  problem: Problem | null;
  reload: () => void;
}

/** Runs `load` now and on `reload`, again whenever `keys` change. */
export function useLoaded<T>(load: () => Promise<T>, keys: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [round, setRound] = useState(0);
  const asked = useRef<unknown[]>(keys);
  useEffect(() => {
    let live = true;
    // Another record asked for: never show the last one meanwhile, nor act on it. A reload
    // of the same one keeps it on screen until the new answer comes.
    if (keys.some((key, index) => !Object.is(key, asked.current[index]))) setData(null);
    asked.current = keys;
    load().then(
      (value) => live && (setData(value), setProblem(null)),
      (error: unknown) => live && setProblem(asProblem(error).problem),
    );
    return () => {
      live = false;
    };
  }, [round, ...keys]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { data, problem, reload };
}

/** Runs an action, keeping its problem for the banner; returns whether it succeeded. */
export function useAction(): [Problem | null, (run: () => Promise<unknown>) => Promise<boolean>] {
  const [problem, setProblem] = useState<Problem | null>(null);
  const act = useCallback(async (run: () => Promise<unknown>) => {
    try {
      await run();
      setProblem(null);
      return true;
    } catch (error) {
      setProblem(asProblem(error).problem);
      return false;
    }
  }, []);
  return [problem, act];
}

/** The login form; `lookSwitch` offers elder mode's look before logging in (the shell's). */
export function Login({ title, notice, lookSwitch }: { title: string; notice?: string; lookSwitch?: boolean }) {
  const [large, setLarge] = useState(elderLook());
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState<{ dev_code?: string | null; expires_in: number } | null>(null);
  const [problem, act] = useAction();
  const send = (event: Event) => {
    event.preventDefault();
    void act(async () => setSent(need(await api.POST("/v1/auth/otp", { body: { phone } }))));
  };
  const logIn = (event: Event) => {
    event.preventDefault();
    void act(async () => signIn(need(await api.POST("/v1/auth/login", { body: { phone, code } }))));
  };
  return (
    <main class="login">
      <h1>{title}</h1>
      {notice && <p class="notice">{notice}</p>}
      <ProblemBanner problem={problem} />
      <form onSubmit={sent ? logIn : send}>
        <label>
          {t("phone")}
          <input
            name="phone"
            type="tel"
            inputMode="numeric"
            autoComplete="tel"
            value={phone}
            onInput={(event) => setPhone(event.currentTarget.value)}
            required
          />
        </label>
        {sent && (
          <>
            <p class="notice">
              {t("codeSentTo")}
              {Math.round(sent.expires_in / 60)}
            </p>
            {sent.dev_code && (
              <p class="dev-code">
                {t("devCode")}
                <output name="dev-code">{sent.dev_code}</output>
              </p>
            )}
            <label>
              {t("code")}
              <input
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                value={code}
                onInput={(event) => setCode(event.currentTarget.value)}
                required
              />
            </label>
          </>
        )}
        <button type="submit">{sent ? t("logIn") : t("sendCode")}</button>
      </form>
      {lookSwitch && (
        <label class="switch">
          <input
            type="checkbox"
            name="elder-look"
            checked={large}
            onChange={(change) => {
              setLarge(change.currentTarget.checked);
              showElderLook(change.currentTarget.checked);
            }}
          />
          {t("elderMode")}
        </label>
      )}
    </main>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Whether someone is signed in, and whether their session just ended under them (a
 * refresh refused) rather than by their own log out: the login then says so. */
export function useSession(): { signedIn: boolean; ended: boolean } {
  const [signedIn, setSignedIn] = useState(currentTokens() !== null);
  const [ended, setEnded] = useState(false);
  useEffect(
    () =>
      onSessionChange((tokens, why) => {
        if (tokens === null) {
          // The next person starts from the start, in the page's own look (the shell then
          // puts back the look this browser last had: an elder's login page stays large).
          document.documentElement.classList.remove("elder");
          history.replaceState(null, "", location.pathname);
        }
        setEnded(why === "ended");
        setSignedIn(tokens !== null);
      }),
    [],
  );
  return { signedIn, ended };
}
