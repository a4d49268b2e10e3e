// The governance console for community, district and platform admins: the event queue with
// its filters and overdue list, each event's steps, and the indicators of the units below.

import "../common/style.css";
import { render } from "preact";
import { useState } from "preact/hooks";
import { api, need, signOut, type Schemas } from "../common/api";
import { EventDetail, EventList, isOverdue, listEvents } from "../common/events";
import { chooseLocale, currentLocale, stateName, t, type Locale } from "../common/i18n";
import { go, useRoute } from "../common/route";
import { Login, ProblemBanner, useSession, useLoaded } from "../common/ui";
import { Indicators } from "./indicators";
import { RISK_READERS, RiskLevels, riskTitle } from "./risk";
import { WORK_ROLES, Worklist, worklistTitle } from "./worklist";
import { Enablement, mayEnable, navWords } from "./enablement";
import { mayReview, Reviews } from "./reviews";

const STATES: Schemas["State"][] = [
  "reported",
  "registered",
  "dispatched",
  "handling",
  "fed_back",
  "verified",
  "suspended",
  "closed",
  "cancelled",
];

function Queue() {
  const [state, setState] = useState<Schemas["State"] | "">("");
  const [category, setCategory] = useState("");
  const events = useLoaded(() => listEvents(state || undefined), [state]);
  const categories = useLoaded(async () =>
    need(await api.GET("/v1/miniapps/grid_events/categories", { params: { query: { limit: 100 } } }))
      .items,
  );
  const shown = (events.data ?? []).filter((event) => !category || event.category === category);
  const overdue = shown.filter(isOverdue);
  const open = (event: { id: number }) => go("events", event.id);
  return (
    <div class="columns">
      <section>
        <h2>{t("events")}</h2>
        <div class="filters">
          <label>
            {t("state")}
            <select
              name="state"
              value={state}
              onChange={(change) => setState(change.currentTarget.value as Schemas["State"] | "")}
            >
              <option value="">{t("all")}</option>
              {STATES.map((value) => (
                <option key={value} value={value}>
                  {stateName(value)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("category")}
            <select
              name="category"
              value={category}
              onChange={(change) => setCategory(change.currentTarget.value)}
            >
              <option value="">{t("all")}</option>
              {categories.data?.map((item) => (
                <option key={item.code} value={item.code}>
                  {item.names[currentLocale()] ?? item.names["zh-CN"] ?? item.code}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="secondary" onClick={events.reload}>
            {t("refresh")}
          </button>
        </div>
        <ProblemBanner problem={events.problem} />
        {events.data && <EventList events={shown} open={open} />}
      </section>
      <section>
        <h2>{t("overdue")}</h2>
        <EventList events={overdue} open={open} />
      </section>
    </div>
  );
}

function Console({ me }: { me: Schemas["MeView"] }) {
  const route = useRoute();
  const [page, id] = route;
  const switchLocale = (locale: Locale) => {
    chooseLocale(locale);
    location.reload();
  };
  return (
    <>
      <header class="bar">
        <h1>{t("consoleName")}</h1>
        <nav class="filters" aria-label={t("consoleName")}>
          <button type="button" onClick={() => go("events")}>
            {t("events")}
          </button>
          <button type="button" onClick={() => go("indicators")}>
            {t("kpis")}
          </button>
          {me.roles.some((role) => RISK_READERS.includes(role)) && (
            <button type="button" onClick={() => go("risk")}>
              {riskTitle()}
            </button>
          )}
          {me.roles.some((role) => WORK_ROLES.includes(role)) && (
            <button type="button" onClick={() => go("worklist")}>
              {worklistTitle()}
            </button>
          )}
          {mayEnable(me) && (
            <button type="button" name="nav-enablement" onClick={() => go("enablement")}>
              {navWords("enablement")}
            </button>
          )}
          {mayReview(me) && (
            <button type="button" name="nav-reviews" onClick={() => go("reviews")}>
              {navWords("reviews")}
            </button>
          )}
          <button type="button" onClick={() => switchLocale(currentLocale() === "en" ? "zh-CN" : "en")}>
            {currentLocale() === "en" ? "中文" : "English"}
          </button>
          <button type="button" class="secondary" onClick={() => void signOut()}>
            {t("logOut")}
          </button>
        </nav>
      </header>
      <main>
        {page === "events" && id ? (
          <EventDetail id={Number(id)} />
        ) : page === "risk" ? (
          <RiskLevels me={me} district={id} />
        ) : page === "worklist" ? (
          <Worklist me={me} id={id} />
        ) : page === "indicators" ? (
          <Indicators me={me} />
        ) : page === "enablement" && mayEnable(me) ? (
          <Enablement me={me} />
        ) : page === "reviews" && mayReview(me) ? (
          <Reviews me={me} />
        ) : (
          <Queue />
        )}
      </main>
    </>
  );
}

function Root() {
  const { signedIn, ended } = useSession();
  const me = useLoaded(
    async () => (signedIn ? need(await api.GET("/v1/me")) : null),
    [signedIn],
  );
  if (!signedIn) {
    return <Login title={t("consoleName")} notice={ended ? t("sessionEnded") : undefined} />;
  }
  if (!me.data) return <ProblemBanner problem={me.problem} />;
  return <Console me={me.data} />;
}

document.documentElement.classList.add("console");
chooseLocale(currentLocale());
render(<Root />, document.getElementById("root")!);
