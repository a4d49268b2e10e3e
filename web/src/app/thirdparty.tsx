// A third-party mini-app: the consent sheet (each field the app asks for, with the purpose it
// states), then its page in a sandboxed frame with the launch code handed over as `code`.
// The frame runs on the app's own origin: it can reach nothing of this page, and this page's
// token never leaves it; only the one-use code does.

import { useState } from "preact/hooks";
import { api, need, problemOf, type Schemas } from "../common/api";
import { currentLocale, wordsOf } from "../common/i18n";
import { ProblemBanner, useAction, useLoaded } from "../common/ui";

const say = wordsOf({
  asks: ["该应用申请使用以下信息", "This app asks to use"],
  asksNothing: ["该应用不读取你的个人信息", "This app reads none of your data"],
  open: ["同意并打开", "Agree and open"],
  openWithout: ["打开", "Open"],
  outside: ["第三方服务，由其开发者提供", "A third-party service, provided by its developer"],
  notOnLauncher: ["该应用不在你的首页上", "This app is not on your home screen"],
});

const FIELD_NAMES: Record<string, [string, string]> = {
  name: ["姓名", "Name"],
  phone: ["手机号", "Phone number"],
  id_card: ["身份证号", "ID card number"],
  district: ["所在区县", "District"],
  notifications: ["接收通知", "Notifications"],
};

function fieldName(field: string): string {
  const pair = FIELD_NAMES[field];
  return pair ? pair[currentLocale() === "en" ? 1 : 0] : field;
}

/** A page a frame may show: https, and never this origin, where `allow-same-origin` would let
 * it lift its own sandbox and read the session. */
function frameable(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.origin !== location.origin;
  } catch {
    return false;
  }
}

/** The entry URL with the launch code as its `code` query parameter. */
function framed(entryUrl: string, code: string | null): string {
  const url = new URL(entryUrl);
  if (code !== null) url.searchParams.set("code", code);
  return url.toString();
}

function Frame({ url, title }: { url: string; title: string }) {
  return (
    <>
      <p class="notice">{say("outside")}</p>
      <iframe
        class="miniapp"
        src={url}
        title={title}
        sandbox="allow-scripts allow-forms allow-same-origin"
        referrerpolicy="no-referrer"
        allow=""
      />
    </>
  );
}

function Consent({ entry, opened }: { entry: Schemas["AppEntry"]; opened: (url: string) => void }) {
  const [chosen, setChosen] = useState(
    new Set(entry.fields.filter((field) => field.consented).map((field) => field.field)),
  );
  const [problem, act] = useAction();
  const toggle = (field: Schemas["DataField"], on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(field);
    else next.delete(field);
    setChosen(next);
  };
  const launch = () =>
    act(async () => {
      const launched = need(
        await api.POST("/v1/miniapps/open_platform/apps/{app_id}/launch", {
          params: { path: { app_id: entry.app_id } },
          body: { consent: [...chosen] },
        }),
      );
      if (!frameable(launched.entry_url)) throw problemOf({ code: "frame_refused", title: say("notOnLauncher"), status: 0, type: "about:blank" }, 0);
      opened(framed(launched.entry_url, launched.code));
    });
  return (
    <section class="consent">
      <h2>{entry.names[currentLocale()] ?? entry.names["zh-CN"]}</h2>
      <ProblemBanner problem={problem} />
      <p>{entry.fields.length ? say("asks") : say("asksNothing")}</p>
      {entry.fields.map((field) => (
        <label class="switch" key={field.field}>
          <input
            type="checkbox"
            name={`consent-${field.field}`}
            checked={chosen.has(field.field)}
            onChange={(change) => toggle(field.field, change.currentTarget.checked)}
          />
          <span>
            <strong>{fieldName(field.field)}</strong> — {field.purpose}
          </span>
        </label>
      ))}
      <button type="button" name="launch" onClick={launch}>
        {entry.fields.length ? say("open") : say("openWithout")}
      </button>
    </section>
  );
}

/** Whether the launcher holds this page as a tile's target: a route names a page to frame,
 * and a link crafted to frame any other page inside the app's own bar is refused. */
function onLauncher(launcher: Schemas["LauncherView"], appId: string, url: string): boolean {
  return launcher.sections.some((section) =>
    section.tiles.some(
      (tile) => tile.target === `h5:${url}` && (tile.launches ?? "-") === appId,
    ),
  );
}

/** A tile whose target is a page (`h5:<url>`): one that `launches` an open-platform app goes
 * through the consent sheet and a launch code; a page of a mini-app installed in the city
 * (no app to launch, `appId` "-") opens as it is. Only a tile of the person's launcher, and
 * only an https page. */
export function ThirdParty({
  appId,
  url,
  launcher,
}: {
  appId: string;
  url: string;
  launcher: Schemas["LauncherView"];
}) {
  if (!onLauncher(launcher, appId, url) || !frameable(url)) {
    return <p class="empty">{say("notOnLauncher")}</p>;
  }
  return <Opened appId={appId} url={url} />;
}

function Opened({ appId, url }: { appId: string; url: string }) {
  const [opened, setOpened] = useState<string | null>(null);
  const entry = useLoaded(async () => {
    if (appId === "-") return { open: null };
    const answer = await api.GET("/v1/miniapps/open_platform/apps/{app_id}/entry", {
      params: { path: { app_id: appId } },
    });
    return { open: need(answer) };
  }, [appId]);
  if (opened) return <Frame url={opened} title={appId} />;
  if (entry.problem) return <ProblemBanner problem={entry.problem} />;
  if (!entry.data) return null;
  if (entry.data.open === null) return <Frame url={framed(url, null)} title={appId} />;
  return <Consent entry={entry.data.open} opened={setOpened} />;
}
