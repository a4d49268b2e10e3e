// 办事 (gov_services) for a resident: the catalogue, an item, the application form drawn from
// the item's own JSON Schema and UI hints, its materials, submit, progress and the rating.
// Nothing about an item is known here: every field, label, rule and material comes from the
// version of the document the application is pinned to.

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { currentLocale, when, wordsOf } from "../common/i18n";
import { go } from "../common/route";
import { ProblemBanner, Section, useAction, useLoaded } from "../common/ui";

const say = wordsOf({
  catalogue: ["办事服务", "Services"],
  mine: ["我的办件", "My applications"],
  more: ["加载更多", "More"],
  none: ["暂无", "None yet"],
  apply: ["在线申办", "Apply"],
  promised: ["承诺时限", "Promised within"],
  workdays: ["个工作日", "working days"],
  instant: ["即办", "On the spot"],
  materials: ["申请材料", "Materials"],
  steps: ["办理流程", "Steps"],
  required: ["必填", "required"],
  requiredMaterial: ["必需", "Required"],
  optional: ["可选", "Optional"],
  given: ["已提供", "Given"],
  save: ["暂存", "Save draft"],
  saved: ["已暂存", "Saved"],
  submit: ["提交申请", "Submit"],
  yes: ["是", "Yes"],
  prefilled: ["由电子证照自动填写", "Filled from your e-licence"],
  useLicence: ["使用电子证照", "Use my e-licence"],
  consent: ["同意调用本人电子证照用于本次办理", "I agree to use my e-licence for this application"],
  sign: ["签署承诺", "Sign"],
  signAgree: ["本人已阅读并承诺", "I have read this and commit to it"],
  upload: ["上传文件", "Upload a file"],
  progress: ["办件进度", "Progress"],
  ref: ["办件编号", "Reference"],
  due: ["办结时限", "Due"],
  history: ["办理记录", "History"],
  rate: ["评价", "Rate"],
  rateIt: ["提交评价", "Send rating"],
  comment: ["评价内容", "Comment"],
  rated: ["感谢您的评价", "Thank you for rating"],
  draft: ["草稿", "Draft"],
  waiting: ["等待中", "Waiting"],
  submitted: ["待受理", "Awaiting acceptance"],
  in_progress: ["办理中", "In progress"],
  supplement: ["待补正", "Needs more"],
  decided: ["已决定", "Decided"],
  delivered: ["已办结", "Completed"],
  rejected: ["未通过", "Refused"],
  withdrawn: ["已撤回", "Withdrawn"],
  done: ["已完成", "done"],
  current: ["进行中", "now"],
  pending: ["待办理", "to come"],
  not_reached: ["未到达", "not reached"],
  level1: ["非常不满意", "Very dissatisfied"],
  level2: ["不满意", "Dissatisfied"],
  level3: ["基本满意", "Fair"],
  level4: ["满意", "Satisfied"],
  level5: ["非常满意", "Very satisfied"],
});

const BASE = "/v1/miniapps/gov_services";
type Status = Schemas["Status"];
type Application = Schemas["ApplicationView"];
type Texts = Schemas["Texts"];
type Ui = Schemas["FormUi"];
type Answers = Record<string, unknown>;

const pick = (texts: Texts | undefined): string | undefined =>
  texts ? (currentLocale() === "en" ? texts.en : texts["zh-CN"]) : undefined;

const statusName = (status: Status) => say(status);

const ACTIONS: Record<string, readonly [string, string]> = {
  submit: ["提交", "Submitted"],
  claim: ["签收", "Claimed"],
  release: ["退签", "Released"],
  accept: ["受理", "Accepted"],
  advance: ["审核通过", "Reviewed"],
  decide: ["作出决定", "Decided"],
  deliver: ["送达", "Delivered"],
  reject: ["不予通过", "Refused"],
  return_for_supplement: ["退回补正", "Returned for more"],
  supplement: ["补正", "Answered"],
  extend: ["延期", "Extended"],
  withdraw: ["撤回", "Withdrawn"],
};

/** The history's action in words; an action this page does not know keeps its code. */
const actionName = (action: string): string => ACTIONS[action]?.[currentLocale() === "en" ? 1 : 0] ?? action;
const ifMatch = (application: Application) => `"${application.version}"`;

// ---- Lists, a page at a time ----

function Paged<T>({
  load,
  row,
}: {
  load: (cursor: string | null) => Promise<{ items: T[]; next_cursor?: string | null }>;
  row: (item: T) => ComponentChildren;
}) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, act] = useAction();
  const more = (cursor: string | null) =>
    act(async () => {
      const page = await load(cursor);
      setItems((kept) => (cursor && kept ? [...kept, ...page.items] : page.items));
      setNext(page.next_cursor ?? null);
    });
  useEffect(() => void more(null), []);
  return (
    <>
      <ProblemBanner problem={problem} />
      {items?.length === 0 && <p class="empty">{say("none")}</p>}
      <ul class="rows">{items?.map(row)}</ul>
      {next && (
        <button type="button" class="secondary" name="more" onClick={() => more(next)}>
          {say("more")}
        </button>
      )}
    </>
  );
}

function Catalogue() {
  const load = async (cursor: string | null) =>
    need(await api.GET(`${BASE}/items`, { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }));
  return (
    <Section title={say("catalogue")}>
      <button type="button" class="secondary" onClick={() => go("gov_services", "applications")}>
        {say("mine")}
      </button>
      <Paged
        load={load}
        row={(item: Schemas["CatalogueEntry"]) => (
          <li key={item.id}>
            <button type="button" class="row" data-item={item.code} onClick={() => go("gov_services", "item", item.id)}>
              <span class="row-title">{item.name}</span>
              <span class="row-note">
                {item.dept} · {item.category}
              </span>
            </button>
          </li>
        )}
      />
    </Section>
  );
}

function Applications() {
  const load = async (cursor: string | null) =>
    need(await api.GET(`${BASE}/applications`, { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }));
  return (
    <Section title={say("mine")}>
      <Paged
        load={load}
        row={(item: Schemas["ApplicationSummary"]) => (
          <li key={item.id}>
            <button
              type="button"
              class="row"
              data-application={item.id}
              data-status={item.status}
              onClick={() => go("gov_services", item.status === "draft" ? "application" : "progress", item.id)}
            >
              <span class="row-title">{item.item_name}</span>
              <span class={`state state-${item.status}`}>{statusName(item.status)}</span>
              <span class="row-note">{item.ref ?? when(item.created_at)}</span>
            </button>
          </li>
        )}
      />
    </Section>
  );
}

// ---- One item ----

function Item({ id }: { id: number }) {
  const item = useLoaded(async () => need(await api.GET(`${BASE}/items/{item_id}`, { params: { path: { item_id: id } } })), [id]);
  const [problem, act] = useAction();
  const start = () =>
    act(async () => {
      const started = need(await api.POST(`${BASE}/applications`, { body: { item_code: item.data!.code } }));
      go("gov_services", "application", started.id);
    });
  if (!item.data) return <ProblemBanner problem={item.problem} />;
  const doc = item.data.version.document;
  return (
    <article class="service-item" data-item={item.data.code}>
      <h2>{item.data.name}</h2>
      <p class="notice">
        {item.data.dept} · {item.data.category} · {say("promised")}{" "}
        {doc.promised_limit_wd === 0 ? say("instant") : `${doc.promised_limit_wd} ${say("workdays")}`}
      </p>
      <h3>{say("materials")}</h3>
      <ul>
        {(doc.materials ?? []).map((material, index) =>
          isMaterial(material) ? <li key={index}>{pick(material.name)}</li> : null,
        )}
      </ul>
      <h3>{say("steps")}</h3>
      <ol>
        {doc.steps.map((step, index) =>
          isStep(step) ? <li key={index}>{pick(step.name)}</li> : null,
        )}
      </ol>
      <ProblemBanner problem={problem} />
      <button type="button" name="apply" onClick={start}>
        {say("apply")}
      </button>
    </article>
  );
}

const isMaterial = (value: unknown): value is Schemas["Material"] =>
  typeof value === "object" && value !== null && "code" in value;
const isStep = (value: unknown): value is Schemas["Step"] =>
  typeof value === "object" && value !== null && "name" in value;

// ---- The form, drawn from the item's JSON Schema and UI hints ----

interface Field {
  type?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Field>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  const?: unknown;
}

/** The value at a rule's scope, `#/properties/a/properties/b`. */
function atScope(answers: Answers, scope: string): unknown {
  let value: unknown = answers;
  for (const name of scope.split("/properties/").slice(1)) {
    value = typeof value === "object" && value !== null ? (value as Answers)[name] : undefined;
  }
  return value;
}

/** Whether `value` meets a condition's schema: the keywords the documents' rules use
 * (`const`, `enum`); the server evaluates the rules again whatever is shown here. */
function meets(value: unknown, schema: Field): boolean {
  if ("const" in schema && value !== schema.const) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  return value !== undefined || !("const" in schema || schema.enum);
}

const isRule = (value: unknown): value is Schemas["Rule"] =>
  typeof value === "object" && value !== null && "field" in value && "condition" in value;

function hidden(ui: Ui, name: string, answers: Answers): boolean {
  for (const rule of ui.rules ?? []) {
    if (!isRule(rule) || rule.field !== name) continue;
    const met = meets(atScope(answers, rule.condition.scope), rule.condition.schema as Field);
    if (rule.effect === "SHOW" ? !met : met) return true;
  }
  return false;
}

interface FieldProps {
  path: string[];
  field: Field;
  required: boolean;
  label: string;
  hint?: string;
  widget?: string;
  value: unknown;
  readOnly: boolean;
  set: (value: unknown) => void;
}

function Input({ path, field, required, label, hint, widget, value, readOnly, set }: FieldProps) {
  const name = path.join(".");
  const hintId = hint ? `hint-${path.join("-")}` : undefined;
  const mark = required && <span class="required" aria-label={say("required")}>*</span>;
  const note = hint && (
    <span class="hint" id={hintId}>
      {hint}
    </span>
  );
  const numeric = field.type === "integer" || field.type === "number";
  const text = value === undefined || value === null ? "" : String(value);
  if (field.type === "object" && field.properties) {
    return (
      <fieldset class="group" data-field={name}>
        <legend>
          {label}
          {mark}
        </legend>
        {note}
        {Object.entries(field.properties).map(([key, inner]) => (
          <Input
            key={key}
            path={[...path, key]}
            field={inner}
            required={(field.required ?? []).includes(key)}
            label={inner.title ?? key}
            hint={inner.description}
            value={(value as Answers | undefined)?.[key]}
            readOnly={readOnly}
            set={(given) => {
              const next = { ...((value as Answers | undefined) ?? {}) };
              if (given === undefined) delete next[key];
              else next[key] = given;
              set(Object.keys(next).length ? next : undefined);
            }}
          />
        ))}
      </fieldset>
    );
  }
  if (field.type === "boolean") {
    return (
      <div data-field={name}>
        <label class="switch">
          <input
            type="checkbox"
            name={name}
            checked={value === true}
            disabled={readOnly}
            aria-describedby={hintId}
            onChange={(e) => set(e.currentTarget.checked)}
          />
          {label}
          {mark}
        </label>
        {note}
      </div>
    );
  }
  if (field.enum && widget === "radio") {
    return (
      <fieldset class="choices" data-field={name} aria-describedby={hintId}>
        <legend>
          {label}
          {mark}
        </legend>
        {field.enum.map((choice) => (
          <label key={String(choice)} class="switch">
            <input
              type="radio"
              name={name}
              value={String(choice)}
              checked={value === choice}
              disabled={readOnly}
              onChange={() => set(choice)}
            />
            {String(choice)}
          </label>
        ))}
        {note}
      </fieldset>
    );
  }
  if (field.enum) {
    return (
      <label data-field={name}>
        <span>
          {label}
          {mark}
        </span>
        <select
          name={name}
          value={text}
          required={required}
          disabled={readOnly}
          aria-describedby={hintId}
          onChange={(e) => {
            const chosen = field.enum!.find((choice) => String(choice) === e.currentTarget.value);
            set(chosen);
          }}
        >
          <option value="">—</option>
          {field.enum.map((choice) => (
            <option key={String(choice)} value={String(choice)}>
              {String(choice)}
            </option>
          ))}
        </select>
        {note}
      </label>
    );
  }
  const change = (typed: string) => {
    if (typed === "") set(undefined);
    else if (numeric) set(Number.isNaN(Number(typed)) ? typed : Number(typed));
    else set(typed);
  };
  const common = {
    name,
    value: text,
    required,
    readOnly,
    "aria-describedby": hintId,
  };
  return (
    <label data-field={name}>
      <span>
        {label}
        {mark}
      </span>
      {widget === "textarea" ? (
        <textarea {...common} maxLength={field.maxLength} onInput={(e) => change(e.currentTarget.value)} />
      ) : (
        <input
          {...common}
          type={numeric || widget === "number" || widget === "money" ? "number" : widget === "date" || field.format === "date" ? "date" : widget === "phone" ? "tel" : "text"}
          inputMode={numeric ? "numeric" : widget === "phone" ? "tel" : undefined}
          min={field.minimum}
          max={field.maximum}
          step={field.type === "integer" ? 1 : undefined}
          autoComplete={widget === "phone" ? "tel" : widget === "address" ? "street-address" : "off"}
          onInput={(e) => change(e.currentTarget.value)}
        />
      )}
      {note}
    </label>
  );
}

function Form({
  form,
  answers,
  prefilled,
  set,
}: {
  form: Schemas["Form"];
  answers: Answers;
  prefilled: Record<string, string>;
  set: (answers: Answers) => void;
}) {
  const schema = form.schema as Field;
  const properties = schema.properties ?? {};
  const pages = (form.ui.pages ?? []).filter(
    (page): page is Schemas["Page"] => typeof page === "object" && page !== null && "fields" in page,
  );
  const placed = new Set(pages.flatMap((page) => page.fields.map(String)));
  const rest = Object.keys(properties).filter((name) => !placed.has(name));
  const shown = [...pages.map((page) => ({ id: page.id, title: pick(page.title), fields: page.fields.map(String) }))];
  if (rest.length) shown.push({ id: "rest", title: undefined, fields: rest });
  return (
    <>
      {shown.map((page) => (
        <fieldset key={page.id} class="form-page" data-page={page.id}>
          {page.title && <legend>{page.title}</legend>}
          {page.fields.map((name) => {
            const field = properties[name];
            if (!field || hidden(form.ui, name, answers)) return null;
            const fixed = name in prefilled;
            return (
              <div key={name}>
                <Input
                  path={[name]}
                  field={field}
                  required={(schema.required ?? []).includes(name)}
                  label={pick(form.ui.labels?.[name]) ?? field.title ?? name}
                  hint={field.description ?? pick(form.ui.hints?.[name])}
                  widget={form.ui.widgets?.[name]}
                  value={answers[name]}
                  readOnly={fixed}
                  set={(value) => {
                    const next = { ...answers };
                    if (value === undefined) delete next[name];
                    else next[name] = value;
                    set(next);
                  }}
                />
                {fixed && <span class="hint">{say("prefilled")}</span>}
              </div>
            );
          })}
        </fieldset>
      ))}
    </>
  );
}

// ---- Materials ----

function Materials({ application, changed }: { application: Application; changed: (view: Application) => void }) {
  const [problem, act] = useAction();
  const [agreed, setAgreed] = useState<Record<string, boolean>>({});
  const path = { application_id: application.id };
  const header = { "If-Match": ifMatch(application) };
  const licence = (code: string, ref: string) =>
    act(async () =>
      changed(
        need(
          await api.POST(`${BASE}/applications/{application_id}/materials/licences`, {
            params: { path, header },
            body: { material_code: code, licence_ref: ref, consent: true },
          }),
        ),
      ),
    );
  const sign = (code: string) =>
    act(async () =>
      changed(
        need(
          await api.POST(`${BASE}/applications/{application_id}/materials/commitments`, {
            params: { path, header },
            body: { material_code: code, signed: agreed[code] === true },
          }),
        ),
      ),
    );
  const upload = (code: string, file: File) =>
    act(async () =>
      changed(
        need(
          await api.POST(`${BASE}/applications/{application_id}/materials/files`, {
            params: { path, header },
            body: { material_code: code, file: "" },
            bodySerializer: () => {
              const form = new FormData();
              form.append("material_code", code);
              form.append("file", file);
              return form;
            },
          }),
        ),
      ),
    );
  return (
    <Section title={say("materials")}>
      <ProblemBanner problem={problem} />
      <ul class="materials">
        {application.needs.map((material) => (
          <li key={material.code} data-material={material.code} data-given={material.given}>
            <strong>{material.name}</strong>{" "}
            <span class="notice">
              {material.required ? say("requiredMaterial") : say("optional")}
              {material.given > 0 && ` · ${say("given")} ${material.given}`}
            </span>
            {material.given < material.max_files && (
              <div class="material-ways">
                {material.licences.map((ref) => (
                  <button type="button" key={ref} name={`licence-${material.code}`} onClick={() => licence(material.code, ref)}>
                    {say("useLicence")}
                  </button>
                ))}
                {material.licences.length > 0 && <p class="hint">{say("consent")}</p>}
                {material.commitment !== null && material.sources.includes("commitment") && (
                  <>
                    <p class="commitment">{material.commitment}</p>
                    <label class="switch">
                      <input
                        type="checkbox"
                        name={`agree-${material.code}`}
                        checked={agreed[material.code] === true}
                        onChange={(e) => setAgreed({ ...agreed, [material.code]: e.currentTarget.checked })}
                      />
                      {say("signAgree")}
                    </label>
                    <button type="button" name={`sign-${material.code}`} onClick={() => sign(material.code)}>
                      {say("sign")}
                    </button>
                  </>
                )}
                {material.sources.includes("upload") && (
                  <label>
                    {say("upload")}
                    <input
                      type="file"
                      name={`file-${material.code}`}
                      accept={material.mime.join(",") || undefined}
                      onChange={(e) => {
                        const file = e.currentTarget.files?.[0];
                        if (file) void upload(material.code, file);
                      }}
                    />
                  </label>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

// ---- One application: the draft's form, or its progress ----

function Draft({ id }: { id: number }) {
  const loaded = useLoaded(async () => {
    const application = need(
      await api.GET(`${BASE}/applications/{application_id}`, { params: { path: { application_id: id } } }),
    );
    const version = need(
      await api.GET(`${BASE}/items/{item_id}/versions/{version_id}`, {
        params: { path: { item_id: application.item_id, version_id: application.item_version_id } },
      }),
    );
    return { application, form: version.document.form };
  }, [id]);
  const [application, setApplication] = useState<Application | null>(null);
  const [answers, setAnswers] = useState<Answers | null>(null);
  const [saved, setSaved] = useState(false);
  const [problem, act] = useAction();
  if (!loaded.data) return <ProblemBanner problem={loaded.problem} />;
  const current = application ?? loaded.data.application;
  if (current.status !== "draft") return <Progress id={current.id} />;
  const shown = answers ?? (current.answers as Answers);
  const save = async () => {
    const view = need(
      await api.PUT(`${BASE}/applications/{application_id}/answers`, {
        params: { path: { application_id: id }, header: { "If-Match": ifMatch(current) } },
        body: { answers: shown },
      }),
    );
    setApplication(view);
    return view;
  };
  const submit = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      const view = await save();
      need(
        await api.POST(`${BASE}/applications/{application_id}/submit`, {
          params: { path: { application_id: id }, header: { "If-Match": ifMatch(view) } },
        }),
      );
      go("gov_services", "progress", id);
    });
  };
  return (
    <article class="application" data-application={current.id} data-status={current.status}>
      <h2>{current.item_name}</h2>
      <form class="service-form" noValidate onSubmit={submit}>
        <Form form={loaded.data.form} answers={shown} prefilled={current.prefilled} set={(next) => (setAnswers(next), setSaved(false))} />
        <ProblemBanner problem={problem} />
        {saved && (
          <p class="notice" role="status">
            {say("saved")}
          </p>
        )}
        <div class="actions">
          <button
            type="button"
            class="secondary"
            name="save"
            onClick={() => act(async () => (await save(), setSaved(true)))}
          >
            {say("save")}
          </button>
          <button type="submit">{say("submit")}</button>
        </div>
      </form>
      <Materials application={current} changed={setApplication} />
    </article>
  );
}

function Rating({ id }: { id: number }) {
  const [level, setLevel] = useState(0);
  const [comment, setComment] = useState("");
  const [rated, setRated] = useState(false);
  const [problem, act] = useAction();
  const send = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      need(
        await api.POST(`${BASE}/applications/{application_id}/rating`, {
          params: { path: { application_id: id } },
          body: { level, comment },
        }),
      );
      setRated(true);
    });
  };
  if (rated)
    return (
      <p class="notice" role="status">
        {say("rated")}
      </p>
    );
  return (
    <Section title={say("rate")}>
      <form class="rating" onSubmit={send}>
        <fieldset class="choices">
          <legend>{say("rate")}</legend>
          {([1, 2, 3, 4, 5] as const).map((value) => (
            <label key={value} class="switch">
              <input type="radio" name="level" value={value} checked={level === value} onChange={() => setLevel(value)} />
              {say(`level${value}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {say("comment")}
          <textarea name="comment" maxLength={500} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        <ProblemBanner problem={problem} />
        <button type="submit">{say("rateIt")}</button>
      </form>
    </Section>
  );
}

function Progress({ id }: { id: number }) {
  const loaded = useLoaded(
    async () =>
      need(await api.GET(`${BASE}/applications/{application_id}/progress`, { params: { path: { application_id: id } } })),
    [id],
  );
  const progress = loaded.data;
  if (!progress) return <ProblemBanner problem={loaded.problem} />;
  return (
    <article class="progress" data-application={progress.id} data-status={progress.status}>
      <h2>
        {say("progress")} <span class={`state state-${progress.status}`}>{statusName(progress.status)}</span>
      </h2>
      {progress.ref && (
        <p>
          {say("ref")}: <span class="ref">{progress.ref}</span>
        </p>
      )}
      {progress.due_date && (
        <p>
          {say("due")}: {progress.due_date}
        </p>
      )}
      <ol class="steps">
        {progress.steps.map((step) => (
          <li key={step.code} data-step={step.code} data-state={step.state} aria-current={step.state === "current" ? "step" : undefined}>
            <strong>{step.name}</strong> <span class="notice">{say(step.state)}</span>
            {step.state === "current" && step.resident_text && <p>{step.resident_text}</p>}
          </li>
        ))}
      </ol>
      <h3>{say("history")}</h3>
      <ol class="timeline">
        {progress.history.map((entry, index) => (
          <li key={index} data-action={entry.action}>
            <time>{when(entry.at)}</time> {actionName(entry.action)} → {statusName(entry.status as Status)}
            {entry.reason && <q>{entry.reason}</q>}
          </li>
        ))}
      </ol>
      {(progress.status === "delivered" || progress.status === "rejected") && <Rating id={progress.id} />}
    </article>
  );
}

export function GovServices({ screen, id }: { screen: string; id?: string }) {
  if (screen === "item" && id) return <Item id={Number(id)} />;
  if (screen === "application" && id) return <Draft id={Number(id)} />;
  if (screen === "progress" && id) return <Progress id={Number(id)} />;
  if (screen === "applications") return <Applications />;
  return <Catalogue />;
}
