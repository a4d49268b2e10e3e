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
    units.push({ path, name: path });
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

function Chart({ rows }: { rows: UnitFigures[] }) {
  const height = 28 * rows.length + 8;
  return (
    <svg class="chart" width="100%" height={height} viewBox={`0 0 400 ${height}`} role="img" aria-label={t("kpis")}>
      {rows.map((row, index) => {
        const y = 4 + index * 28;
        return (
          <g key={row.path}>
            <text x="0" y={y + 14}>
              {row.name}
            </text>
            <rect class="closure" x="140" y={y} height="10" width={(row.stats.closure_rate ?? 0) * 250} />
            <rect class="on-time" x="140" y={y + 12} height="10" width={(row.stats.on_time_rate ?? 0) * 250} />
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
                <th scope="col">{t("events")}</th>
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
