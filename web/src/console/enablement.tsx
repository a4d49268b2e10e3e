// Mini-app enablement in a district: each installed mini-app, on or off city-wide and in the
// district (a district admin switches it off or on again there; the platform admin also
// city-wide), and each third-party app out on the platform, switched on in the district by
// approving what it asks for, or off.

import { useEffect, useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { when, wordsOf } from "../common/i18n";
import { Listed } from "../common/listed";
import { ProblemBanner, useAction, useLoaded } from "../common/ui";
import { appName, askName } from "./asks";

const say = wordsOf({
  title: ["应用开通", "Mini-app enablement"],
  district: ["区县", "District"],
  builtIn: ["内置应用", "Built-in mini-apps"],
  thirdParty: ["第三方应用", "Third-party apps"],
  app: ["应用", "App"],
  cityWide: ["全市", "City-wide"],
  inDistrict: ["本区", "In the district"],
  actions: ["操作", "Actions"],
  on: ["已开通", "On"],
  off: ["已关闭", "Off"],
  offCityWide: ["全市已关闭", "Off city-wide"],
  needsApproval: ["新版本待批准", "New version awaits approval"],
  switchOffHere: ["在本区关闭", "Switch off here"],
  switchOnHere: ["在本区开通", "Switch on here"],
  switchOffCity: ["全市关闭", "Switch off city-wide"],
  switchOnCity: ["全市开通", "Switch on city-wide"],
  asks: ["申请的权限与数据项", "What it asks for"],
  purpose: ["用途：", "Purpose: "],
  approveAndSwitchOn: ["批准并在本区开通", "Approve and switch on here"],
  tickEvery: [
    "勾选批准全部申请项后方可开通",
    "Tick every ask to approve it before switching the app on",
  ],
  changed: ["变更于 ", "Changed "],
  noApps: ["暂无上架的第三方应用", "No third-party apps are out yet"],
  noDistrict: ["您没有可管理的区县", "You administer no district"],
});

interface District {
  path: string;
  name: string;
}

/** The districts the admin switches apps in: those they hold as district admin, and every
 * district of the cities they hold as platform admin. */
async function districtsOf(me: Schemas["MeView"]): Promise<District[]> {
  const held = me.scope["district_admin"] ?? [];
  const cities = me.scope["platform_admin"] ?? [];
  const parents = new Set([...cities, ...held.map((path) => path.split("/")[0])]);
  const found: District[] = [];
  for (const parent of parents) {
    const units = need(await api.GET("/v1/orgs", { params: { query: { parent, limit: 100 } } }));
    for (const unit of units.items) {
      if (unit.level === "district" && (cities.includes(parent) || held.includes(unit.path))) {
        found.push({ path: unit.path, name: unit.name });
      }
    }
  }
  return found;
}

async function allMiniApps(): Promise<Schemas["AppState"][]> {
  const states: Schemas["AppState"][] = [];
  let cursor: string | null = null;
  do {
    const page: Schemas["AppStatePage"] = need(
      await api.GET("/v1/admin/miniapps", { params: { query: { cursor, limit: 100 } } }),
    );
    states.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return states;
}

function BuiltIn({
  district,
  platform,
  act,
}: {
  district: string;
  platform: boolean;
  act: (run: () => Promise<unknown>) => Promise<boolean>;
}) {
  const apps = useLoaded(allMiniApps, []);
  const flip = (app_id: string, enabled: boolean, where: string | null) =>
    act(async () => {
      need(
        await api.PUT("/v1/admin/miniapps/{app_id}/switch", {
          params: { path: { app_id } },
          body: { enabled, district: where },
        }),
      );
      apps.reload();
    });
  return (
    <>
      <h3>{say("builtIn")}</h3>
      <ProblemBanner problem={apps.problem} />
      {apps.data && (
        <table class="builtin-apps">
          <thead>
            <tr>
              <th scope="col">{say("app")}</th>
              <th scope="col">{say("cityWide")}</th>
              <th scope="col">{say("inDistrict")}</th>
              <th scope="col">{say("actions")}</th>
            </tr>
          </thead>
          <tbody>
            {apps.data.map((app) => {
              const offHere = app.disabled_in.includes(district);
              const here = !app.enabled_city_wide ? "offCityWide" : offHere ? "off" : "on";
              return (
                <tr key={app.app_id} data-app={app.app_id} data-here={here}>
                  <th scope="row">
                    <code>{app.app_id}</code>
                  </th>
                  <td>{say(app.enabled_city_wide ? "on" : "off")}</td>
                  <td>{say(here)}</td>
                  <td>
                    <div class="actions">
                      <button
                        type="button"
                        name="district-switch"
                        class={offHere ? "" : "secondary"}
                        onClick={() => void flip(app.app_id, offHere, district)}
                      >
                        {say(offHere ? "switchOnHere" : "switchOffHere")}
                      </button>
                      {platform && (
                        <button
                          type="button"
                          name="city-switch"
                          class="secondary"
                          onClick={() => void flip(app.app_id, !app.enabled_city_wide, null)}
                        >
                          {say(app.enabled_city_wide ? "switchOffCity" : "switchOnCity")}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

function OpenApp({
  app,
  district,
  act,
  reload,
}: {
  app: Schemas["DistrictApp"];
  district: string;
  act: (run: () => Promise<unknown>) => Promise<boolean>;
  reload: () => void;
}) {
  const [ticked, setTicked] = useState(new Set(app.approved));
  // What each data field is for, as the app tells its users: what the admin approves.
  const purposes = app.purposes ?? {};
  // Reloaded, the app keeps what the admin ticked of what it still asks for; anything new
  // it asks for waits for a tick of its own.
  useEffect(
    () =>
      setTicked(
        (before) => new Set([...app.approved, ...app.asks.filter((ask) => before.has(ask))]),
      ),
    [app],
  );
  const tick = (ask: string, on: boolean) => {
    const next = new Set(ticked);
    if (on) next.add(ask);
    else next.delete(ask);
    setTicked(next);
  };
  const everyTicked = app.asks.every((ask) => ticked.has(ask));
  const switchTo = (enabled: boolean) =>
    act(async () => {
      try {
        need(
          await api.POST("/v1/miniapps/open_platform/apps/{app_id}/district", {
            params: { path: { app_id: app.app_id } },
            body: {
              district,
              enabled,
              asks: enabled ? app.asks.filter((ask) => ticked.has(ask)) : null,
            },
          }),
        );
      } finally {
        // Refused or not, show the app as it stands now: a refusal for changed asks comes
        // with an app that asks for something else, which the admin must look at again.
        reload();
      }
    });
  const stateWord = app.state === "needs_approval" ? "needsApproval" : app.state;
  const hint = `hint-${app.app_id}`;
  return (
    <tr data-app={app.app_id} data-state={app.state}>
      <th scope="row">
        {appName(app.names)}
        <div class="hint">
          <code>{app.app_id}</code>
        </div>
      </th>
      <td>
        {say(stateWord)}
        {app.changed_at && (
          <div class="hint">
            {say("changed")}
            {when(app.changed_at)}
          </div>
        )}
      </td>
      <td>
        <fieldset class="asks">
          <legend>{say("asks")}</legend>
          {app.asks.map((ask) => (
            <label key={ask} class="switch">
              <input
                type="checkbox"
                name="ask"
                value={ask}
                checked={ticked.has(ask)}
                disabled={app.state === "on"}
                onChange={(change) => tick(ask, change.currentTarget.checked)}
              />
              <span>
                {askName(ask)} <code>{ask}</code>
                {purposes[ask] && (
                  <span class="hint purpose">
                    {" "}
                    {say("purpose")}
                    {purposes[ask]}
                  </span>
                )}
              </span>
            </label>
          ))}
        </fieldset>
      </td>
      <td>
        <div class="actions">
          {app.state === "on" ? (
            <button
              type="button"
              name="open-switch"
              class="secondary"
              onClick={() => void switchTo(false)}
            >
              {say("switchOffHere")}
            </button>
          ) : (
            <>
              <button
                type="button"
                name="open-switch"
                disabled={!everyTicked}
                aria-describedby={hint}
                onClick={() => void switchTo(true)}
              >
                {say("approveAndSwitchOn")}
              </button>
              <span id={hint} class="hint">
                {say("tickEvery")}
              </span>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}

function ThirdParty({
  district,
  act,
}: {
  district: string;
  act: (run: () => Promise<unknown>) => Promise<boolean>;
}) {
  const apps = useLoaded(
    async () =>
      need(
        await api.GET("/v1/miniapps/open_platform/district-apps", {
          params: { query: { district } },
        }),
      ),
    [district],
  );
  return (
    <>
      <h3>{say("thirdParty")}</h3>
      <ProblemBanner problem={apps.problem} />
      <Listed
        items={apps.data?.items}
        kind="open-apps"
        heads={[say("app"), say("inDistrict"), say("asks"), say("actions")]}
        empty={say("noApps")}
        row={(app) => (
          <OpenApp key={app.app_id} app={app} district={district} act={act} reload={apps.reload} />
        )}
      />
    </>
  );
}

export function Enablement({ me }: { me: Schemas["MeView"] }) {
  const districts = useLoaded(() => districtsOf(me), [me.user_id]);
  const [chosen, setChosen] = useState("");
  const [problem, act] = useAction();
  const district = chosen || districts.data?.[0]?.path || "";
  const platform = me.roles.includes("platform_admin");
  return (
    <section class="enablement">
      <h2>{say("title")}</h2>
      <ProblemBanner problem={districts.problem} />
      {districts.data && districts.data.length === 0 && <p class="empty">{say("noDistrict")}</p>}
      {districts.data && district && (
        <>
          <div class="filters">
            <label>
              {say("district")}
              <select
                name="district"
                value={district}
                onChange={(change) => setChosen(change.currentTarget.value)}
              >
                {districts.data.map((unit) => (
                  <option key={unit.path} value={unit.path}>
                    {unit.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ProblemBanner problem={problem} />
          <BuiltIn key={`built-in-${district}`} district={district} platform={platform} act={act} />
          <ThirdParty key={`open-${district}`} district={district} act={act} />
        </>
      )}
    </section>
  );
}

/** Whether the admin may use this page: a district's admin or the platform's. */
export const mayEnable = (me: Schemas["MeView"]) =>
  me.roles.includes("district_admin") || me.roles.includes("platform_admin");

/** The console's nav words for the pages of mini-app governance. */
export const navWords = wordsOf({
  enablement: ["应用开通", "Enablement"],
  reviews: ["应用审核", "App review"],
});
