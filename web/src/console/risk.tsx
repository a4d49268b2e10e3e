// Community risk levels (小区三色分层管理) of a district: how many communities stand at each
// level, drawn as bars, and the district's communities, named from the org tree, each with
// the level the API tells this caller and, for health officials, a way to set it.

import { useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { wordsOf } from "../common/i18n";
import { go } from "../common/route";
import { ProblemBanner, useAction, useLoaded } from "../common/ui";

type Level = Schemas["RiskLevelName"];
type Unit = Schemas["OrgUnitView"];

const LEVELS: Level[] = ["low", "medium", "high"];
/** Those the API lets read a district's counts; only health officials may set a level. */
export const RISK_READERS = ["health_official", "district_admin", "platform_admin"];
const SETTER = "health_official";

const say = wordsOf({
  title: ["社区风险等级", "Community risk levels"],
  district: ["辖区", "District"],
  counts: ["各等级社区数", "Communities at each level"],
  community: ["社区", "Community"],
  street: ["街道", "Street"],
  level: ["风险等级", "Risk level"],
  low: ["低风险", "Low"],
  medium: ["中风险", "Medium"],
  high: ["高风险", "High"],
  unknown: ["—", "—"],
  setTo: ["设为", "Set to"],
  set: ["设置", "Set"],
  done: ["已设置：", "Set: "],
  noCommunities: ["该辖区暂无社区", "No communities in this district"],
  refresh: ["刷新", "Refresh"],
});

const levelName = (level: Level) => say(level);

/** Every unit directly below `parent`, through all its pages. */
async function unitsBelow(parent: string): Promise<Unit[]> {
  const units: Unit[] = [];
  let cursor: string | null = null;
  do {
    const page: Schemas["OrgUnitPage"] = need(
      await api.GET("/v1/orgs", { params: { query: { parent, limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    units.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return units;
}

/** The districts the caller oversees: their own, the one holding a smaller unit, or every
 * district of a city they hold. */
async function districtsOf(me: Schemas["MeView"]): Promise<string[]> {
  const held = new Set<string>();
  for (const role of RISK_READERS) for (const path of me.scope[role] ?? []) held.add(path);
  const districts = new Set<string>();
  for (const path of held) {
    const parts = path.split("/");
    if (parts.length >= 2) districts.add(parts.slice(0, 2).join("/"));
    else for (const unit of await unitsBelow(path)) districts.add(unit.path);
  }
  return [...districts].sort();
}

interface Community {
  path: string;
  name: string;
  street: string;
}

async function communitiesOf(district: string): Promise<Community[]> {
  const streets = await unitsBelow(district);
  const rows = await Promise.all(
    streets.map(async (street) =>
      (await unitsBelow(street.path)).map((unit) => ({ path: unit.path, name: unit.name, street: street.name })),
    ),
  );
  return rows.flat();
}

/** The level of each community of the district (low where never set), every page. */
async function districtLevels(district: string): Promise<Record<string, Level>> {
  const known: Record<string, Level> = {};
  let cursor: string | null = null;
  do {
    const page: Schemas["RiskLevelPage"] = need(
      await api.GET("/v1/miniapps/health_code/district-risk-levels", {
        params: { query: { district, limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    );
    for (const item of page.items) known[item.community] = item.level;
    cursor = page.next_cursor;
  } while (cursor);
  return known;
}

function Chart({ counts }: { counts: Record<string, number> }) {
  const most = Math.max(1, ...LEVELS.map((level) => counts[level] ?? 0));
  const summary = LEVELS.map((level) => `${levelName(level)} ${counts[level] ?? 0}`).join("，");
  return (
    <svg class="chart risk-chart" width="100%" height="100" viewBox="0 0 400 100" preserveAspectRatio="xMinYMin meet" role="img" aria-label={`${say("counts")}：${summary}`}>
      {LEVELS.map((level, index) => {
        const y = 6 + index * 30;
        const count = counts[level] ?? 0;
        return (
          <g key={level} data-level={level} data-count={count}>
            <text x="0" y={y + 15}>
              {levelName(level)}
            </text>
            <rect class={`risk-${level}`} x="80" y={y} height="20" width={(count / most) * 260} />
            <text x={86 + (count / most) * 260} y={y + 15}>
              {count}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function SetLevel({ community, current, onSet }: { community: Community; current: Level | undefined; onSet: (level: Level) => void }) {
  const [level, setLevel] = useState<Level>(current === "high" ? "medium" : "high");
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        onSet(level);
      }}
    >
      <label>
        {say("setTo")}
        <select name="level" value={level} onChange={(change) => setLevel(change.currentTarget.value as Level)}>
          {LEVELS.map((value) => (
            <option key={value} value={value}>
              {levelName(value)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" aria-label={`${say("set")} ${community.name}`}>
        {say("set")}
      </button>
    </form>
  );
}

function District({ me, district, districts }: { me: Schemas["MeView"]; district: string; districts: string[] }) {
  const communities = useLoaded(() => communitiesOf(district), [district]);
  const counts = useLoaded(
    async () => need(await api.GET("/v1/miniapps/health_code/risk-level-counts", { params: { query: { district } } })),
    [district],
  );
  const known = useLoaded(() => districtLevels(district), [district]);
  const [setHere, setSetHere] = useState<Record<string, Level>>({});
  const [done, setDone] = useState<string | null>(null);
  const [problem, act] = useAction();
  const maySet = me.roles.includes(SETTER);
  const levelOf = (path: string): Level | undefined => setHere[path] ?? known.data?.[path];

  const set = (community: Community, level: Level) =>
    void act(async () => {
      setDone(null);
      const view = need(
        await api.PUT("/v1/miniapps/health_code/risk-levels/{community}", {
          params: { path: { community: community.path } },
          body: { level },
        }),
      );
      setSetHere((before) => ({ ...before, [view.community]: view.level }));
      setDone(`${say("done")}${community.name} ${levelName(view.level)}`);
      counts.reload();
    });

  return (
    <>
      {(districts.length > 1 || !districts.includes(district)) && (
        <label>
          {say("district")}
          <select name="district" value={district} onChange={(change) => go("risk", change.currentTarget.value)}>
            {(districts.includes(district) ? districts : [district, ...districts]).map((path) => (
              <option key={path} value={path}>
                {path}
              </option>
            ))}
          </select>
        </label>
      )}
      <ProblemBanner problem={counts.problem ?? communities.problem ?? known.problem} />
      <h3>{say("counts")}</h3>
      {counts.data && <Chart counts={counts.data} />}
      <button type="button" class="secondary" onClick={() => (counts.reload(), known.reload())}>
        {say("refresh")}
      </button>
      <h3>{say("community")}</h3>
      <div class="risk-set">
        <ProblemBanner problem={problem} />
        {done && (
          <p class="notice" role="status">
            {done}
          </p>
        )}
      </div>
      {communities.data && communities.data.length === 0 && <p>{say("noCommunities")}</p>}
      {communities.data && communities.data.length > 0 && (
        <>
          <table class="risk-table">
            <thead>
              <tr>
                <th scope="col">{say("community")}</th>
                <th scope="col">{say("street")}</th>
                <th scope="col">{say("level")}</th>
                {maySet && <th scope="col">{say("set")}</th>}
              </tr>
            </thead>
            <tbody>
              {communities.data.map((community) => {
                const level = levelOf(community.path);
                return (
                  <tr key={community.path} data-community={community.path} data-level={level ?? ""}>
                    <th scope="row">{community.name}</th>
                    <td>{community.street}</td>
                    <td class={level ? `risk-level risk-${level}` : "risk-level"}>{level ? levelName(level) : say("unknown")}</td>
                    {maySet && (
                      <td>
                        <SetLevel community={community} current={level} onSet={(chosen) => set(community, chosen)} />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

export function RiskLevels({ me, district }: { me: Schemas["MeView"]; district?: string }) {
  const districts = useLoaded(() => districtsOf(me), [me.user_id]);
  const shown = district ?? districts.data?.[0];
  return (
    <section>
      <h2>{say("title")}</h2>
      <ProblemBanner problem={districts.problem} />
      {shown && districts.data && <District key={shown} me={me} district={shown} districts={districts.data} />}
    </section>
  );
}

export const riskTitle = (): string => say("title");
