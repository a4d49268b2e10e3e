// The launcher: the tiles of the mini-apps switched on for the person, in their locale, large
// in elder mode; and the inbox with its unread count.

import { api, done, need, type Schemas } from "../common/api";
import { t, when } from "../common/i18n";
import { go, routeOfTarget } from "../common/route";
import { ProblemBanner, useAction, useLoaded } from "../common/ui";

/** An admin's desk tiles open the governance console; every other tile a screen here. */
function openTile(tile: Schemas["TileView"]): void {
  if (/^native:[a-z_]+\/(console|review)$/.test(tile.target)) location.assign("/console/");
  else if (tile.target.startsWith("h5:")) go("open", tile.launches ?? "-", tile.target.slice(3));
  else go(...routeOfTarget(tile.target));
}

export function Launcher({ launcher }: { launcher: Schemas["LauncherView"] }) {
  return (
    <div class="launcher">
      {launcher.sections.map((section) => (
        <section key={section.id} aria-label={section.title}>
          <h2>{section.title}</h2>
          <ul class="tiles">
            {section.tiles.map((tile) => (
              <li key={tile.tile_id}>
                <button
                  type="button"
                  class={`tile tile-${tile.size}`}
                  data-tile={`${tile.app_id}.${tile.tile_id}`}
                  onClick={() => openTile(tile)}
                >
                  <span class="tile-icon" aria-hidden="true">
                    {tile.title.slice(0, 1)}
                  </span>
                  <span class="tile-title">{tile.title}</span>
                  {tile.badge ? <span class="badge">{tile.badge}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

export function Inbox({ changed }: { changed: () => void }) {
  const page = useLoaded(async () =>
    need(await api.GET("/v1/inbox", { params: { query: { limit: 50 } } })),
  );
  const [problem, act] = useAction();
  const readAll = () =>
    act(async () => {
      done(await api.POST("/v1/inbox/read-all"));
      page.reload();
      changed();
    });
  const open = (item: Schemas["InboxItemView"]) =>
    act(async () => {
      if (!item.read) {
        done(await api.POST("/v1/inbox/{item_id}/read", { params: { path: { item_id: item.id } } }));
        changed();
      }
      const link = item.deep_link?.match(/^yimen:\/\/miniapps\/grid_events\/events\/(\d+)$/);
      if (link) go("grid_events", "event", link[1]);
      else page.reload();
    });
  return (
    <section>
      <h2>
        {t("inbox")} {page.data && page.data.unread > 0 && `(${page.data.unread} ${t("unread")})`}
      </h2>
      <ProblemBanner problem={problem ?? page.problem} />
      {page.data && page.data.unread > 0 && (
        <button type="button" class="secondary" onClick={readAll}>
          {t("markAllRead")}
        </button>
      )}
      {page.data?.items.length === 0 && <p class="empty">{t("noMessages")}</p>}
      <ul class="inbox">
        {page.data?.items.map((item) => (
          <li key={item.id} class={item.read ? "read" : "unread"}>
            <button type="button" onClick={() => open(item)}>
              <strong>{item.title}</strong>
              <span>{item.body}</span>
              <time>{when(item.created_at)}</time>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
