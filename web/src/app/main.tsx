// The mobile-web shell: log in, the launcher, the inbox, one's settings, and the mini-apps'
// main screens, in the person's locale and, when they chose it, in elder mode.

import "../common/style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, need, renewSession, signOut, type Schemas } from "../common/api";
import { chooseLocale, currentLocale, t, type Locale } from "../common/i18n";
import { elderLook, showElderLook } from "../common/look";
import { go, useRoute } from "../common/route";
import { onSessionChange } from "../common/session";
import { Login, ProblemBanner, useSession, useAction, useLoaded } from "../common/ui";
import { ElderlyCare } from "./care";
import { GridEvents } from "./grid";
import { HealthCode } from "./health";
import { Inbox, Launcher } from "./home";
import { ThirdParty } from "./thirdparty";
import { LegalAid } from "./legal";
import { GovServices } from "./services";
import { Payment } from "./wallet";

function Settings({ launcher, changed }: { launcher: Schemas["LauncherView"]; changed: () => void }) {
  const [problem, act] = useAction();
  const setLocale = (locale: Locale) =>
    act(async () => {
      need(await api.PATCH("/v1/me", { body: { locale } }));
      await renewSession();
      chooseLocale(locale);
      changed();
    });
  // Signing out waits a moment for this phone's payer code to be turned off: one press.
  const [leaving, setLeaving] = useState(false);
  // The switch shows the choice at once; a refusal puts it back.
  const [elder, showElder] = useState(launcher.elder_mode);
  useEffect(() => showElder(launcher.elder_mode), [launcher.elder_mode]);
  const setElder = (elder_mode: boolean) =>
    act(async () => {
      showElder(elder_mode);
      const answer = await api.PATCH("/v1/me", { body: { elder_mode } });
      if (!answer.response.ok) showElder(!elder_mode);
      need(answer);
      await renewSession();
      changed();
    });
  return (
    <section class="settings">
      <h2>{t("me")}</h2>
      <ProblemBanner problem={problem} />
      <fieldset>
        <legend>{t("language")}</legend>
        <button type="button" aria-pressed={currentLocale() === "zh-CN"} onClick={() => setLocale("zh-CN")}>
          中文
        </button>
        <button type="button" aria-pressed={currentLocale() === "en"} onClick={() => setLocale("en")}>
          English
        </button>
      </fieldset>
      <label class="switch">
        <input
          type="checkbox"
          name="elder-mode"
          checked={elder}
          onChange={(change) => setElder(change.currentTarget.checked)}
        />
        {t("elderMode")}
      </label>
      <button
        type="button"
        class="secondary"
        disabled={leaving}
        aria-busy={leaving}
        onClick={() => {
          setLeaving(true);
          void signOut();
        }}
      >
        {t("logOut")}
      </button>
    </section>
  );
}

function Screen({ route, launcher, changed }: { route: string[]; launcher: Schemas["LauncherView"]; changed: () => void }) {
  const [app, screen, id] = route;
  if (app === "inbox") return <Inbox changed={changed} />;
  if (app === "me") return <Settings launcher={launcher} changed={changed} />;
  if (app === "grid_events") return <GridEvents screen={screen ?? "report"} id={id} />;
  if (app === "open" && id) return <ThirdParty appId={screen ?? "-"} url={id} launcher={launcher} />;
  if (app === "health_code") return <HealthCode screen={screen ?? "show"} />;
  if (app === "elderly_care") return <ElderlyCare screen={screen ?? "sos"} />;
  if (app === "legal_aid") return <LegalAid screen={screen ?? "consult"} id={id} />;
  if (app === "payment") return <Payment screen={screen ?? "wallet"} />;
  if (app === "gov_services") return <GovServices screen={screen ?? "catalogue"} id={id} />;
  if (app) return <p class="empty">{t("notBuiltHere")}</p>;
  return <Launcher launcher={launcher} />;
}

function Shell() {
  const route = useRoute();
  const [round, setRound] = useState(0);
  const changed = () => setRound((value) => value + 1);
  const launcher = useLoaded(
    async () => need(await api.GET("/v1/launcher", { params: { query: { locale: currentLocale() } } })),
    [round],
  );
  const unread = useLoaded(
    async () => need(await api.GET("/v1/inbox", { params: { query: { limit: 1 } } })).unread,
    [round, route.join("/")],
  );
  useEffect(() => {
    if (!launcher.data) return;
    showElderLook(launcher.data.elder_mode);
    chooseLocale(launcher.data.locale === "en" ? "en" : "zh-CN");
  }, [launcher.data]);
  return (
    <>
      <header class="bar">
        {route.length > 0 && (
          <button type="button" class="back" onClick={() => history.back()} aria-label={t("back")}>
            ‹
          </button>
        )}
        <h1>{t("appName")}</h1>
      </header>
      <main>
        <ProblemBanner problem={launcher.problem} />
        {launcher.data && <Screen route={route} launcher={launcher.data} changed={changed} />}
      </main>
      <nav class="tabs" aria-label={t("appName")}>
        <button type="button" onClick={() => go()} aria-current={route.length === 0 ? "page" : undefined}>
          {t("home")}
        </button>
        <button type="button" onClick={() => go("inbox")} aria-current={route[0] === "inbox" ? "page" : undefined}>
          {t("inbox")}
          {unread.data ? <span class="badge" data-unread={unread.data}>{unread.data}</span> : null}
        </button>
        <button type="button" onClick={() => go("me")} aria-current={route[0] === "me" ? "page" : undefined}>
          {t("me")}
        </button>
      </nav>
    </>
  );
}

function Root() {
  const { signedIn, ended } = useSession();
  // Logged out, the page keeps the look this browser last had: an elder's stays large. After
  // useSession's listener, which drops the look on every end of a session.
  useEffect(() => {
    const lookBack = () => document.documentElement.classList.toggle("elder", elderLook());
    if (!signedIn) lookBack();
    return onSessionChange((tokens) => {
      if (tokens === null) lookBack();
    });
  }, []);
  if (!signedIn) return <Login title={t("appName")} notice={ended ? t("sessionEnded") : undefined} lookSwitch />;
  return <Shell />;
}

chooseLocale(currentLocale());
render(<Root />, document.getElementById("root")!);
