// The main flows of the Yimen app through the TypeScript types generated from
// openapi/openapi.json (openapi-typescript) and openapi-fetch: the same calls as
// openapi/clients/python/flows.py. `scripts/clients` type-checks this file against freshly
// generated types, so a renamed operation, parameter or field fails there.

import createClient from "openapi-fetch";
import type { components, paths } from "yimen-api";

type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type Api = ReturnType<typeof createClient<paths>>;

/** Where a one-time code sent to a phone can be read (an SMS, or the server's dev log). */
export type CodeSource = (phone: string) => Promise<string>;

/** The resident's phone: the key the health code is bound to, which signs a proof each time
 * the code is shown ("<credential>.<proof>"; docs/health-code.md). */
export interface Phone {
  publicKey: string;
  show(credential: string): Promise<string>;
}

// Demo city users (`yimen seed-demo`).
export const RESIDENT = "13800000001";
export const GRID_WORKER = "13800000003";
export const COMMUNITY_ADMIN = "13800000005";
export const CHECKPOINT_STAFF = "13800000009";

export class FlowError extends Error {
  constructor(
    what: string,
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(`${what}: ${status} ${problem?.code ?? ""} ${problem?.title ?? ""}`);
  }
}

/** The answer of a call that must succeed; its Problem otherwise. */
function need<T>(
  result: { data?: T; error?: Problem; response: Response },
  what: string,
): T {
  if (result.data === undefined) {
    throw new FlowError(what, result.response.status, result.error);
  }
  return result.data;
}

/** A call answered with no content (204). */
function done(result: { error?: Problem; response: Response }, what: string): void {
  if (!result.response.ok) {
    throw new FlowError(what, result.response.status, result.error);
  }
}

export async function logIn(baseUrl: string, phone: string, codeFor: CodeSource): Promise<Api> {
  const anonymous = createClient<paths>({ baseUrl });
  need(await anonymous.POST("/v1/auth/otp", { body: { phone } }), "send a one-time code");
  const code = await codeFor(phone);
  const tokens = need(
    await anonymous.POST("/v1/auth/login", { body: { phone, code } }),
    "log in",
  );
  return createClient<paths>({
    baseUrl,
    headers: { Authorization: `${tokens.token_type} ${tokens.access_token}` },
  });
}

export async function launcherApps(api: Api): Promise<string[]> {
  const launcher = need(await api.GET("/v1/launcher"), "launcher");
  return launcher.sections.flatMap((section) => section.tiles.map((tile) => tile.app_id));
}

async function step(
  api: Api,
  event: Schemas["EventView"],
  action: Schemas["Action"],
  reason = "",
): Promise<Schemas["EventView"]> {
  return need(
    await api.POST("/v1/miniapps/grid_events/events/{event_id}/actions", {
      params: { path: { event_id: event.id }, header: { "If-Match": `"${event.version}"` } },
      body: { action, reason },
    }),
    action,
  );
}

/** A step refused answers the document's Problem, with its stable code. */
async function refusal(admin: Api, event: Schemas["EventView"]): Promise<void> {
  const refused = await admin.POST("/v1/miniapps/grid_events/events/{event_id}/actions", {
    params: { path: { event_id: event.id } },
    body: { action: "cancel" },
  });
  if (refused.error?.code !== "event_reason_required") {
    throw new FlowError("cancel without a reason", refused.response.status, refused.error);
  }
}

/** 上报 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案, and the resident's reading of it. */
export async function followEvent(
  resident: Api,
  admin: Api,
  worker: Api,
): Promise<Schemas["EventView"]> {
  let event = need(
    await resident.POST("/v1/miniapps/grid_events/events", {
      body: {
        category: "manhole_cover",
        description: "科学大道井盖缺失",
        attributes: { damage: "missing" },
        lat: 34.805,
        lon: 113.555,
        address: "科学大道",
      },
    }),
    "report",
  );
  await refusal(admin, event);
  event = await step(admin, event, "register");
  event = await step(admin, event, "dispatch");
  event = await step(worker, event, "start");
  event = await step(worker, event, "feed_back", "已更换井盖");
  event = await step(admin, event, "verify");
  event = await step(admin, event, "close");
  return need(
    await resident.GET("/v1/miniapps/grid_events/events/{event_id}", {
      params: { path: { event_id: event.id } },
    }),
    "read the event back",
  );
}

/** Enrol the phone's key, get a credential, show it with the phone's proof, have it scanned. */
export async function healthCode(
  resident: Api,
  staff: Api,
  phone: Phone,
): Promise<Schemas["ScanView"]> {
  done(
    await resident.POST("/v1/miniapps/health_code/phone", {
      body: { public_key: phone.publicKey },
    }),
    "enrol the phone",
  );
  const code = need(await resident.GET("/v1/miniapps/health_code/code"), "health code");
  const text = await phone.show(code.credential);
  const svg = await resident.GET("/v1/miniapps/health_code/code/qr.svg", {
    params: { query: { code: text } },
    parseAs: "text",
  });
  need(svg, "the code as a QR");
  return need(
    await staff.POST("/v1/miniapps/health_code/scans", {
      body: { text, place: "科学大道地铁站" },
    }),
    "scan",
  );
}

export async function inbox(api: Api): Promise<Schemas["InboxItemView"][]> {
  const page = need(await api.GET("/v1/inbox", { params: { query: { limit: 50 } } }), "inbox");
  return page.items;
}

export async function mainFlows(baseUrl: string, codeFor: CodeSource, phone: Phone): Promise<void> {
  const resident = await logIn(baseUrl, RESIDENT, codeFor);
  const apps = await launcherApps(resident);
  if (!apps.includes("grid_events") || !apps.includes("health_code")) {
    throw new Error(`the resident's launcher lacks a tile: ${apps.join(", ")}`);
  }
  const admin = await logIn(baseUrl, COMMUNITY_ADMIN, codeFor);
  const worker = await logIn(baseUrl, GRID_WORKER, codeFor);
  const event = await followEvent(resident, admin, worker);
  if (event.state !== "closed") {
    throw new Error(`the event is ${event.state}, not closed`);
  }
  const staff = await logIn(baseUrl, CHECKPOINT_STAFF, codeFor);
  const scanned = await healthCode(resident, staff, phone);
  if (!scanned.valid) {
    throw new Error(`the scan refused the code: ${scanned.reason ?? ""}`);
  }
  const link = `yimen://miniapps/grid_events/events/${event.id}`;
  const notices = (await inbox(resident)).filter((item) => item.deep_link === link);
  if (notices.length === 0) {
    throw new Error("no notice of the event in the resident's inbox");
  }
}
