// 办事 for service officers and approvers: the cases they owe the next step on, soonest due
// first, with the due time and an overdue mark; one case with its answers, materials (each
// file fetched into a blob: URL, since the page may load nothing from elsewhere) and history;
// and the steps the API says the caller may take now, each sent with the case's version as
// If-Match so that a case changed meanwhile is refused rather than overwritten.

import { useEffect, useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { currentLocale, wordsOf, when } from "../common/i18n";
import { go } from "../common/route";
import { Listed } from "../common/listed";
import { ProblemBanner, useAction, useLoaded } from "../common/ui";

type Case = Schemas["CaseView"];
type WorkItem = Schemas["WorkItem"];
type Texts = Schemas["Texts"];

/** The roles whose holders work cases here: officers take steps, approvers extend. */
export const WORK_ROLES = ["service_officer", "service_approver"];
const BASE = "/v1/miniapps/gov_services";

const say = wordsOf({
  title: ["办事待办", "Service worklist"],
  due: ["到期", "Due"],
  dueAll: ["全部", "All"],
  dueSoon: ["即将到期", "Due soon"],
  dueOverdue: ["已超期", "Overdue"],
  overdue: ["已超期", "Overdue"],
  provisional: ["（暂定）", " (provisional)"],
  notAccepted: ["未受理", "Not accepted"],
  ref: ["办件编号", "Case number"],
  item: ["事项", "Item"],
  status: ["状态", "Status"],
  step: ["环节", "Step"],
  submitted: ["提交时间", "Submitted"],
  accepted: ["受理时间", "Accepted"],
  claimed: ["签收", "Claimed"],
  claimedBy: ["已签收（用户 ", "Claimed (user "],
  unclaimed: ["未签收", "Unclaimed"],
  open: ["办理", "Open"],
  noWork: ["暂无待办件", "Nothing to do"],
  more: ["下一页", "Next page"],
  refresh: ["刷新", "Refresh"],
  openById: ["按办件 ID 打开", "Open a case by its id"],
  caseId: ["办件 ID", "Case id"],
  back: ["返回待办", "Back to the worklist"],
  answers: ["申请内容", "Answers"],
  field: ["项目", "Field"],
  value: ["内容", "Value"],
  materials: ["材料", "Materials"],
  material: ["材料", "Material"],
  source: ["来源", "Source"],
  size: ["大小", "Size"],
  file: ["文件", "File"],
  openFile: ["获取文件", "Fetch the file"],
  viewFile: ["查看文件", "View the file"],
  noFile: ["电子证照，无文件", "An e-licence, no file"],
  history: ["办理记录", "History"],
  action: ["操作", "Action"],
  at: ["时间", "When"],
  note: ["意见", "Note"],
  reason: ["理由", "Reason"],
  wdUsed: ["已用工作日", "Working days used"],
  extended: ["已延期", "Extended"],
  outcome: ["结果", "Outcome"],
  steps: ["可办理的操作", "What you may do"],
  nothingToDo: ["当前没有您可办理的操作", "Nothing for you to do on this case now"],
  claim: ["签收", "Claim"],
  release: ["退回签收", "Release"],
  accept: ["受理", "Accept"],
  advance: ["审核通过", "Pass the review"],
  decide: ["作出决定", "Decide"],
  approved: ["准予", "Approve"],
  rejected: ["不予", "Reject"],
  reject: ["不予受理 / 不予通过", "Refuse"],
  reasonCode: ["理由类别", "Kind of reason"],
  not_eligible: ["不符合条件", "Not eligible"],
  not_our_matter: ["不属于本机关职责", "Not our matter"],
  false_materials: ["材料虚假", "False materials"],
  supplement_refused: ["未按要求补正", "补正 not given"],
  other: ["其他", "Other"],
  deliver: ["送达", "Deliver"],
  method: ["送达方式", "How"],
  electronic: ["电子送达", "Electronically"],
  window: ["窗口领取", "At the window"],
  mail: ["邮寄", "By mail"],
  returnFor: ["退回补正", "Return for 补正"],
  missingFields: ["需补正的内容", "Answers to correct"],
  missingMaterials: ["需补正的材料", "Materials to give"],
  extend: ["延期", "Extend"],
  done: ["已办理：", "Done: "],
  yes: ["是", "yes"],
  no: ["否", "no"],
});

const STATUS: Record<string, readonly [string, string]> = {
  draft: ["草稿", "Draft"],
  submitted: ["待受理", "Submitted"],
  in_progress: ["办理中", "In progress"],
  supplement: ["待补正", "Awaiting 补正"],
  decided: ["已决定", "Decided"],
  delivered: ["已办结", "Delivered"],
  rejected: ["不予受理", "Refused"],
  withdrawn: ["已撤回", "Withdrawn"],
};
const ACTION: Record<string, readonly [string, string]> = {
  submit: ["提交", "Submitted"],
  withdraw: ["撤回", "Withdrawn"],
  supplement: ["补正", "补正 given"],
  claim: ["签收", "Claimed"],
  release: ["退回签收", "Released"],
  accept: ["受理", "Accepted"],
  advance: ["审核通过", "Review passed"],
  return_for_supplement: ["退回补正", "Returned for 补正"],
  reject: ["不予受理", "Refused"],
  extend: ["延期", "Extended"],
  decide: ["决定", "Decided"],
  deliver: ["送达", "Delivered"],
};
const en = () => (currentLocale() === "en" ? 1 : 0);
const named = (table: Record<string, readonly [string, string]>, key: string) => table[key]?.[en()] ?? key;
const pick = (texts: Texts | null | undefined): string | undefined =>
  texts ? (currentLocale() === "en" ? texts.en : texts["zh-CN"]) : undefined;
const ifMatch = (view: { version: number }) => `"${view.version}"`;

/** Running cases past their due time. */
export function isLate(item: { due_at: string | null; status: string }): boolean {
  return (
    item.due_at !== null &&
    (item.status === "in_progress" || item.status === "submitted") &&
    new Date(item.due_at).getTime() < Date.now()
  );
}

function Due({ item }: { item: WorkItem | Case }) {
  if (!item.due_at) return <span class="hint">{say("notAccepted")}</span>;
  return (
    <>
      <time dateTime={item.due_at}>{when(item.due_at)}</time>
      {item.due_provisional && say("provisional")}
      {isLate(item) && (
        <strong class="late" data-overdue="1">
          {" "}
          {say("overdue")}
        </strong>
      )}
    </>
  );
}

async function itemNames(): Promise<Record<number, string>> {
  const names: Record<number, string> = {};
  let cursor: string | null = null;
  do {
    const page: Schemas["CataloguePage"] = need(
      await api.GET(`${BASE}/items`, { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    for (const entry of page.items) names[entry.id] = entry.name;
    cursor = page.next_cursor;
  } while (cursor);
  return names;
}

function List() {
  const [due, setDue] = useState<Schemas["DueFilter"] | "">("");
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const cursor = pages[pages.length - 1];
  const work = useLoaded(
    async () =>
      need(
        await api.GET(`${BASE}/work`, {
          params: { query: { limit: 50, ...(due ? { due } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [due, cursor],
  );
  const names = useLoaded(itemNames, []);
  const [id, setId] = useState("");
  return (
    <section>
      <h2>{say("title")}</h2>
      <div class="filters">
        <label>
          {say("due")}
          <select
            name="due"
            value={due}
            onChange={(change) => {
              setDue(change.currentTarget.value as Schemas["DueFilter"] | "");
              setPages([null]);
            }}
          >
            <option value="">{say("dueAll")}</option>
            <option value="soon">{say("dueSoon")}</option>
            <option value="overdue">{say("dueOverdue")}</option>
          </select>
        </label>
        <button type="button" class="secondary" onClick={work.reload}>
          {say("refresh")}
        </button>
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            if (/^\d+$/.test(id)) go("worklist", id);
          }}
        >
          <label>
            {say("caseId")}
            <input name="case-id" inputMode="numeric" value={id} onInput={(event) => setId(event.currentTarget.value)} />
          </label>
          <button type="submit" class="secondary">
            {say("openById")}
          </button>
        </form>
      </div>
      <ProblemBanner problem={work.problem ?? names.problem} />
      <Listed
        items={work.data?.items}
        kind="worklist"
        heads={[say("ref"), say("item"), say("status"), say("due"), say("submitted"), say("claimed"), say("action")]}
        empty={say("noWork")}
        row={(item) => (
          <tr key={item.id} data-case={item.id} data-status={item.status} data-overdue={isLate(item) ? "1" : "0"}>
            <th scope="row">{item.ref}</th>
            <td>{names.data?.[item.item_id] ?? item.item_id}</td>
            <td>
              {named(STATUS, item.status)}
              {item.step ? ` · ${item.step}` : ""}
            </td>
            <td class="due">
              <Due item={item} />
            </td>
            <td>{when(item.submitted_at)}</td>
            <td>{item.claimed_by === null ? say("unclaimed") : `${say("claimedBy")}${item.claimed_by})`}</td>
            <td>
              <button type="button" name="open" aria-label={`${say("open")} ${item.ref}`} onClick={() => go("worklist", item.id)}>
                {say("open")}
              </button>
            </td>
          </tr>
        )}
      />
      {work.data?.next_cursor && (
        <button type="button" class="secondary" onClick={() => setPages([...pages, work.data!.next_cursor])}>
          {say("more")}
        </button>
      )}
    </section>
  );
}

function MaterialFile({ caseId, material }: { caseId: number; material: Schemas["CaseMaterialView"] }) {
  const [url, setUrl] = useState<string | null>(null);
  const [problem, act] = useAction();
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );
  if (material.source === "e_license") return <span class="hint">{say("noFile")}</span>;
  const fetchFile = () =>
    void act(async () => {
      const blob = need(
        await api.GET(`${BASE}/work/{application_id}/materials/{material_id}/file`, {
          params: { path: { application_id: caseId, material_id: material.id } },
          parseAs: "blob",
        }),
      );
      setUrl(URL.createObjectURL(blob));
    });
  return (
    <>
      <ProblemBanner problem={problem} />
      {url ? (
        <>
          <a href={url} target="_blank" rel="noopener" data-material-file={material.id}>
            {say("viewFile")}
          </a>
          {material.mime.startsWith("image/") && <img class="photo" src={url} alt={`${say("file")} ${material.material_code}`} />}
        </>
      ) : (
        <button type="button" class="secondary" name={`file-${material.id}`} onClick={fetchFile}>
          {say("openFile")}
        </button>
      )}
    </>
  );
}

function show(value: unknown): string {
  if (value === true) return say("yes");
  if (value === false) return say("no");
  if (typeof value === "string" || typeof value === "number") return String(value);
  return JSON.stringify(value);
}

interface Named {
  code: string;
  name: Texts;
}
const isNamed = (value: unknown): value is Named =>
  typeof value === "object" && value !== null && typeof (value as Named).code === "string" && typeof (value as Named).name === "object";

/** Labels of the case's own version: field labels, material and step names. */
async function versionOf(view: Case): Promise<Schemas["PublishedVersion"] | null> {
  const answer = await api.GET(`${BASE}/items/{item_id}/versions/{version_id}`, {
    params: { path: { item_id: view.item_id, version_id: view.item_version_id } },
  });
  return answer.data ?? null;
}

function Steps({ view, changed, version }: { view: Case; changed: (view: Case) => void; version: Schemas["PublishedVersion"] | null }) {
  const [problem, act] = useAction();
  const [doneText, setDoneText] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [outcome, setOutcome] = useState<Schemas["Outcome"]>("approved");
  const [decision, setDecision] = useState("");
  const [reasonCode, setReasonCode] = useState<Schemas["RejectReason"]>("not_eligible");
  const [rejectText, setRejectText] = useState("");
  const [method, setMethod] = useState<Schemas["DeliveryMethod"]>("electronic");
  const [fields, setFields] = useState<string[]>([]);
  const [missing, setMissing] = useState<string[]>([]);
  const [supplementNote, setSupplementNote] = useState("");
  const [extendReason, setExtendReason] = useState("");
  const allowed = new Set(view.allowed_actions);
  const path = { application_id: view.id };
  const header = { "If-Match": ifMatch(view) };
  const run = (action: string, call: () => Promise<Case>) =>
    void act(async () => {
      setDoneText(null);
      const after = await call();
      changed(after);
      setDoneText(`${say("done")}${named(ACTION, action)}`);
    });
  const materialCodes = [
    ...new Set([
      ...(version?.document.materials ?? []).filter(isNamed).map((material) => material.code),
      ...view.materials.map((material) => material.material_code),
    ]),
  ];
  const materialName = (code: string) =>
    pick((version?.document.materials ?? []).filter(isNamed).find((material) => material.code === code)?.name) ?? code;
  const fieldLabel = (field: string) => pick(version?.document.form.ui.labels?.[field]) ?? field;
  const toggle = (list: string[], set: (next: string[]) => void, value: string, on: boolean) =>
    set(on ? [...list, value] : list.filter((kept) => kept !== value));
  const submit = (handler: () => void) => (event: Event) => {
    event.preventDefault();
    handler();
  };

  return (
    <section class="case-steps">
      <h3>{say("steps")}</h3>
      <ProblemBanner problem={problem} />
      {doneText && (
        <p class="notice" role="status">
          {doneText}
        </p>
      )}
      {![...allowed].some((action) => action !== "submit" && action !== "withdraw" && action !== "supplement") && (
        <p>{say("nothingToDo")}</p>
      )}
      <div class="filters">
        {allowed.has("claim") && (
          <button
            type="button"
            name="claim"
            onClick={() =>
              run("claim", async () => need(await api.POST(`${BASE}/work/{application_id}/claim`, { params: { path, header } })))
            }
          >
            {say("claim")}
          </button>
        )}
        {allowed.has("release") && (
          <button
            type="button"
            name="release"
            class="secondary"
            onClick={() =>
              run("release", async () => need(await api.POST(`${BASE}/work/{application_id}/release`, { params: { path, header } })))
            }
          >
            {say("release")}
          </button>
        )}
      </div>
      {(allowed.has("accept") || allowed.has("advance")) && (
        <form class="case-form" name="note-form" onSubmit={(event) => event.preventDefault()}>
          <label>
            {say("note")}
            <input name="note" value={note} onInput={(event) => setNote(event.currentTarget.value)} />
          </label>
          <div class="filters">
            {allowed.has("accept") && (
              <button
                type="button"
                name="accept"
                onClick={() =>
                  run("accept", async () =>
                    need(await api.POST(`${BASE}/work/{application_id}/accept`, { params: { path, header }, body: { note } })),
                  )
                }
              >
                {say("accept")}
              </button>
            )}
            {allowed.has("advance") && (
              <button
                type="button"
                name="advance"
                onClick={() =>
                  run("advance", async () =>
                    need(await api.POST(`${BASE}/work/{application_id}/advance`, { params: { path, header }, body: { note } })),
                  )
                }
              >
                {say("advance")}
              </button>
            )}
          </div>
        </form>
      )}
      {allowed.has("decide") && (
        <form
          class="case-form"
          name="decide"
          onSubmit={submit(() =>
            run("decide", async () =>
              need(
                await api.POST(`${BASE}/work/{application_id}/decide`, {
                  params: { path, header },
                  body: { outcome, text: decision },
                }),
              ),
            ),
          )}
        >
          <fieldset>
            <legend>{say("decide")}</legend>
            {(["approved", "rejected"] as const).map((value) => (
              <label key={value} class="switch">
                <input
                  type="radio"
                  name="outcome"
                  value={value}
                  checked={outcome === value}
                  onChange={() => setOutcome(value)}
                />
                {say(value)}
              </label>
            ))}
          </fieldset>
          <label>
            {say("reason")}
            <textarea name="decision-text" value={decision} onInput={(event) => setDecision(event.currentTarget.value)} />
          </label>
          <button type="submit">{say("decide")}</button>
        </form>
      )}
      {allowed.has("deliver") && (
        <form
          class="case-form"
          name="deliver"
          onSubmit={submit(() =>
            run("deliver", async () =>
              need(
                await api.POST(`${BASE}/work/{application_id}/deliver`, {
                  params: { path, header },
                  body: { method, note },
                }),
              ),
            ),
          )}
        >
          <label>
            {say("method")}
            <select name="method" value={method} onChange={(change) => setMethod(change.currentTarget.value as Schemas["DeliveryMethod"])}>
              {(["electronic", "window", "mail"] as const).map((value) => (
                <option key={value} value={value}>
                  {say(value)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{say("deliver")}</button>
        </form>
      )}
      {allowed.has("return_for_supplement") && (
        <form
          class="case-form"
          name="supplement"
          onSubmit={submit(() =>
            run("return_for_supplement", async () =>
              need(
                await api.POST(`${BASE}/work/{application_id}/return-for-supplement`, {
                  params: { path, header },
                  body: {
                    fields: fields.map((field) => ({ field, note: "" })),
                    materials: missing.map((code) => ({ code, note: "" })),
                    note: supplementNote,
                  },
                }),
              ),
            ),
          )}
        >
          <fieldset class="choices">
            <legend>{say("missingFields")}</legend>
            {Object.keys(view.answers).map((field) => (
              <label key={field} class="switch">
                <input
                  type="checkbox"
                  name="missing-field"
                  value={field}
                  checked={fields.includes(field)}
                  onChange={(change) => toggle(fields, setFields, field, change.currentTarget.checked)}
                />
                {fieldLabel(field)}
              </label>
            ))}
          </fieldset>
          <fieldset class="choices">
            <legend>{say("missingMaterials")}</legend>
            {materialCodes.map((code) => (
              <label key={code} class="switch">
                <input
                  type="checkbox"
                  name="missing-material"
                  value={code}
                  checked={missing.includes(code)}
                  onChange={(change) => toggle(missing, setMissing, code, change.currentTarget.checked)}
                />
                {materialName(code)}
              </label>
            ))}
          </fieldset>
          <label>
            {say("note")}
            <textarea name="supplement-note" value={supplementNote} onInput={(event) => setSupplementNote(event.currentTarget.value)} />
          </label>
          <button type="submit" class="secondary">
            {say("returnFor")}
          </button>
        </form>
      )}
      {allowed.has("reject") && (
        <form
          class="case-form"
          name="reject"
          onSubmit={submit(() =>
            run("reject", async () =>
              need(
                await api.POST(`${BASE}/work/{application_id}/reject`, {
                  params: { path, header },
                  body: { reason_code: reasonCode, text: rejectText },
                }),
              ),
            ),
          )}
        >
          <label>
            {say("reasonCode")}
            <select
              name="reason_code"
              value={reasonCode}
              onChange={(change) => setReasonCode(change.currentTarget.value as Schemas["RejectReason"])}
            >
              {(["not_eligible", "not_our_matter", "false_materials", "supplement_refused", "other"] as const).map((value) => (
                <option key={value} value={value}>
                  {say(value)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {say("reason")}
            <textarea name="reject-text" value={rejectText} onInput={(event) => setRejectText(event.currentTarget.value)} />
          </label>
          <button type="submit" class="danger">
            {say("reject")}
          </button>
        </form>
      )}
      {allowed.has("extend") && (
        <form
          class="case-form"
          name="extend"
          onSubmit={submit(() =>
            run("extend", async () =>
              need(
                await api.POST(`${BASE}/work/{application_id}/extend`, {
                  params: { path, header },
                  body: { reason: extendReason },
                }),
              ),
            ),
          )}
        >
          <label>
            {say("reason")}
            <textarea name="extend-reason" value={extendReason} onInput={(event) => setExtendReason(event.currentTarget.value)} />
          </label>
          <button type="submit" class="secondary">
            {say("extend")}
          </button>
        </form>
      )}
    </section>
  );
}

function CaseDetail({ id }: { id: number }) {
  const loaded = useLoaded(
    async () => need(await api.GET(`${BASE}/work/{application_id}`, { params: { path: { application_id: id } } })),
    [id],
  );
  const [view, setView] = useState<Case | null>(null);
  useEffect(() => setView(loaded.data), [loaded.data]);
  const version = useLoaded(async () => (loaded.data ? versionOf(loaded.data) : null), [loaded.data?.item_version_id]);
  const names = useLoaded(itemNames, []);
  const stepName = (code: string | null) => {
    if (!code) return "";
    const step = (version.data?.document.steps ?? []).filter(isNamed).find((one) => one.code === code);
    return pick(step?.name) ?? code;
  };
  const fieldLabel = (field: string) => pick(version.data?.document.form.ui.labels?.[field]) ?? field;
  const materialName = (code: string) =>
    pick((version.data?.document.materials ?? []).filter(isNamed).find((material) => material.code === code)?.name) ?? code;
  return (
    <section>
      <button type="button" class="secondary" onClick={() => go("worklist")}>
        {say("back")}
      </button>
      <ProblemBanner problem={loaded.problem} />
      {view && (
        <article class="case" data-case={view.id} data-status={view.status} data-step={view.step ?? ""}>
          <h2>
            {names.data?.[view.item_id] ?? view.item_id} · <span class="ref">{view.ref}</span>
          </h2>
          <table class="case-facts">
            <tbody>
              <tr>
                <th scope="row">{say("status")}</th>
                <td class="case-status">{named(STATUS, view.status)}</td>
              </tr>
              <tr>
                <th scope="row">{say("step")}</th>
                <td>{stepName(view.step)}</td>
              </tr>
              <tr>
                <th scope="row">{say("submitted")}</th>
                <td>{when(view.submitted_at)}</td>
              </tr>
              <tr>
                <th scope="row">{say("accepted")}</th>
                <td>{when(view.accepted_at)}</td>
              </tr>
              <tr>
                <th scope="row">{say("due")}</th>
                <td class="due">
                  <Due item={view} />
                </td>
              </tr>
              <tr>
                <th scope="row">{say("wdUsed")}</th>
                <td>
                  {view.wd_used}
                  {view.extended && ` · ${say("extended")}`}
                </td>
              </tr>
              <tr>
                <th scope="row">{say("claimed")}</th>
                <td>{view.claimed_by === null ? say("unclaimed") : `${say("claimedBy")}${view.claimed_by})`}</td>
              </tr>
              {view.outcome && (
                <tr>
                  <th scope="row">{say("outcome")}</th>
                  <td>{say(view.outcome === "approved" ? "approved" : "rejected")}</td>
                </tr>
              )}
            </tbody>
          </table>
          <Steps view={view} changed={setView} version={version.data} />
          <h3>{say("answers")}</h3>
          <table class="answers">
            <thead>
              <tr>
                <th scope="col">{say("field")}</th>
                <th scope="col">{say("value")}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(view.answers).map(([field, value]) => (
                <tr key={field} data-field={field}>
                  <th scope="row">{fieldLabel(field)}</th>
                  <td>{show(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{say("materials")}</h3>
          <table class="case-materials">
            <thead>
              <tr>
                <th scope="col">{say("material")}</th>
                <th scope="col">{say("source")}</th>
                <th scope="col">{say("size")}</th>
                <th scope="col">{say("file")}</th>
              </tr>
            </thead>
            <tbody>
              {view.materials.map((material) => (
                <tr key={material.id} data-material={material.material_code} data-source={material.source}>
                  <th scope="row">{materialName(material.material_code)}</th>
                  <td>{material.source}</td>
                  <td>{material.size ? `${material.size} B` : ""}</td>
                  <td>
                    <MaterialFile caseId={view.id} material={material} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{say("history")}</h3>
          <table class="case-history">
            <thead>
              <tr>
                <th scope="col">{say("at")}</th>
                <th scope="col">{say("action")}</th>
                <th scope="col">{say("step")}</th>
                <th scope="col">{say("reason")}</th>
              </tr>
            </thead>
            <tbody>
              {view.history.map((entry, index) => (
                <tr key={index} data-action={entry.action}>
                  <td>{when(entry.set_at)}</td>
                  <td>{named(ACTION, entry.action)}</td>
                  <td>{stepName(entry.step)}</td>
                  <td>{entry.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      )}
    </section>
  );
}

export function Worklist({ id }: { me: Schemas["MeView"]; id?: string }) {
  return id && /^\d+$/.test(id) ? <CaseDetail key={id} id={Number(id)} /> : <List />;
}

export const worklistTitle = (): string => say("title");
