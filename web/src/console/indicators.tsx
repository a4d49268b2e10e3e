// Indicators per unit: for each unit the admin holds and each unit directly below it, the
// closure and on-time rates, drawn as bars, with the overdue count.

import { api, need, type Schemas } from "../common/api";
import { t } from "../common/i18n";
import { ProblemBanner, useLoaded } from "../common/ui";

const ADMIN_ROLES = ["community_admin", "district_admin", "platform_admin"];

interface UnitFigures {
  path: string;
  name: string;
  stats: Schemas["EventStats"];
}

/** The org paths the caller administers, from their token's scope. */
export function administered(me: Schemas["MeView"]): string[] {
  return ADMIN_ROLES.flatMap((role) => me.scope[role] ?? []);
}

async function figures(me: Schemas["MeView"]): Promise<UnitFigures[]> {
  const units: { path: string; name: string }[] = [];
  for (const path of administered(me)) {
    const parent = path.split("/").slice(0, -1).join("/");
    const siblings = parent
      ? need(await api.GET("/v1/orgs", { params: { query: { parent, limit: 100 } } })).items
      : [];
    units.push({ path, name: siblings.find((unit) => unit.path === path)?.name ?? path });
    const below = need(await api.GET("/v1/orgs", { params: { query: { parent: path, limit: 100 } } }));
    units.push(...below.items.map((unit) => ({ path: unit.path, name: unit.name })));
  }
  return Promise.all(
    units.map(async (unit) => ({
      ...unit,
      stats: need(
        await api.GET("/v1/miniapps/grid_events/stats", { params: { query: { under: unit.path } } }),
      ),
    })),
  );
}

const percent = (rate: number | null) => (rate === null ? "—" : `${Math.round(rate * 100)}%`);

const WIDTH = 600;
const LABEL = 160;
const BAR = WIDTH - LABEL - 50;

/** Two bars a unit, closure and on-time rate, each over a track of 100%. */
function Chart({ rows }: { rows: UnitFigures[] }) {
  const height = 32 * rows.length + 28;
  const bar = (y: number, rate: number | null, kind: string) => (
    <>
      <rect class="track" x={LABEL} y={y} height="11" width={BAR} />
      <rect class={kind} x={LABEL} y={y} height="11" width={(rate ?? 0) * BAR} />
      <text x={LABEL + BAR + 6} y={y + 10}>
        {percent(rate)}
      </text>
    </>
  );
  return (
    <svg class="chart" width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={t("kpis")}>
      <rect class="closure" x={LABEL} y="2" width="12" height="12" />
      <text x={LABEL + 18} y="12">
        {t("closureRate")}
      </text>
      <rect class="on-time" x={LABEL + 160} y="2" width="12" height="12" />
      <text x={LABEL + 178} y="12">
        {t("onTimeRate")}
      </text>
      {rows.map((row, index) => {
        const y = 28 + index * 32;
        return (
          <g key={row.path} data-unit={row.path}>
            <text x="0" y={y + 16}>
              {row.name}
            </text>
            {bar(y, row.stats.closure_rate, "closure")}
            {bar(y + 13, row.stats.on_time_rate, "on-time")}
          </g>
        );
      })}
    </svg>
  );
}

export function Indicators({ me }: { me: Schemas["MeView"] }) {
  const rows = useLoaded(() => figures(me), [me.user_id]);
  return (
    <section>
      <h2>{t("kpis")}</h2>
      <ProblemBanner problem={rows.problem} />
      {rows.data && (
        <>
          <Chart rows={rows.data} />
          <table>
            <thead>
              <tr>
                <th scope="col">{t("unit")}</th>
                <th scope="col">{t("closureRate")}</th>
                <th scope="col">{t("onTimeRate")}</th>
                <th scope="col">{t("overdue")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.data.map((row) => (
                <tr key={row.path} data-unit={row.path}>
                  <th scope="row">{row.name}</th>
                  <td>{percent(row.stats.closure_rate)}</td>
                  <td>{percent(row.stats.on_time_rate)}</td>
                  <td>{row.stats.overdue.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
