// The platform's review of third-party apps: the versions in review, longest waiting first;
// one version's manifest set out for a reviewer, approved or rejected with a reason; and the
// publishers waiting to be verified.

import { useEffect, useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { when, wordsOf } from "../common/i18n";
import { go, useRoute } from "../common/route";
import { Listed } from "../common/listed";
import { ProblemBanner, useAction, useLoaded } from "../common/ui";
import { appName, askName, fieldName } from "./asks";

const say = wordsOf({
  title: ["应用审核", "App review"],
  queue: ["待审核版本", "Versions in review"],
  app: ["应用", "App"],
  version: ["版本", "Version"],
  publisher: ["开发者主体", "Publisher"],
  submitted: ["提交时间", "Submitted"],
  changes: ["变更", "Changes"],
  firstVersion: ["首个版本", "First version"],
  asksMore: ["申请更多权限或数据", "Asks for more"],
  open: ["查看", "Open"],
  noVersions: ["暂无待审核版本", "No versions are waiting for review"],
  publishers: ["待认证开发者主体", "Publishers waiting for verification"],
  creditCode: ["统一社会信用代码", "Credit code"],
  contact: ["联系邮箱", "Contact email"],
  registered: ["登记时间", "Registered"],
  actions: ["操作", "Actions"],
  reason: ["驳回理由", "Reason for rejecting"],
  verify: ["认证通过", "Verify"],
  reject: ["驳回", "Reject"],
  approve: ["审核通过", "Approve"],
  noPublishers: ["暂无待认证的开发者主体", "No publishers are waiting"],
  back: ["返回审核列表", "Back to the queue"],
  status: ["状态", "Status"],
  names: ["名称", "Names"],
  slug: ["应用标识", "App id"],
  entry: ["入口地址", "Entry URL"],
  domains: ["允许的域名", "Allowed domains"],
  permissions: ["权限", "Permissions"],
  data: ["申请的用户数据", "Data asked for"],
  field: ["数据项", "Field"],
  purpose: ["用途", "Purpose"],
  roles: ["面向角色", "Target roles"],
  webhook: ["事件回调", "Webhook"],
  templates: ["通知模板", "Notification templates"],
  none: ["无", "None"],
  icon: ["图标", "Icon"],
  verdict: ["审核结果", "Review"],
  was: ["原", "was"],
  now: ["现", "now"],
});

const STATUS = wordsOf({
  draft: ["草稿", "Draft"],
  in_review: ["审核中", "In review"],
  approved: ["已通过", "Approved"],
  rejected: ["已驳回", "Rejected"],
  withdrawn: ["已撤回", "Withdrawn"],
});

const REVIEWS = "/v1/miniapps/open_platform/reviews" as const;

/** The icon, base64 in the manifest, as a blob: URL the page's policy lets it show. */
function Icon({ base64, label }: { base64: string; label: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    try {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      made = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
      setUrl(made);
    } catch {
      setUrl(null);
    }
    return () => {
      if (made) URL.revokeObjectURL(made);
    };
  }, [base64]);
  return url ? <img class="app-icon" src={url} alt={label} width={48} height={48} /> : null;
}

function List({ items }: { items: string[] }) {
  if (!items.length) return <>{say("none")}</>;
  return (
    <ul class="plain">
      {items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}

function Manifest({ manifest }: { manifest: Schemas["AppManifest"] }) {
  const name = appName(manifest.names);
  return (
    <dl class="manifest">
      <dt>{say("icon")}</dt>
      <dd>
        <Icon base64={manifest.icon} label={name} />
      </dd>
      <dt>{say("names")}</dt>
      <dd>
        <span lang="zh-CN">{manifest.names["zh-CN"]}</span>
        {manifest.names.en && (
          <>
            {" / "}
            <span lang="en">{manifest.names.en}</span>
          </>
        )}
      </dd>
      <dt>{say("slug")}</dt>
      <dd>
        <code>{manifest.id}</code>
      </dd>
      <dt>{say("entry")}</dt>
      <dd class="entry-url">
        <code>{manifest.entry_url}</code>
      </dd>
      <dt>{say("domains")}</dt>
      <dd class="domains">
        <List items={manifest.allowed_domains} />
      </dd>
      <dt>{say("permissions")}</dt>
      <dd class="permissions">
        <List items={(manifest.permissions ?? []).map((p) => `${askName(p)} (${p})`)} />
      </dd>
      <dt>{say("data")}</dt>
      <dd>
        {manifest.data?.length ? (
          <table class="data-asks">
            <thead>
              <tr>
                <th scope="col">{say("field")}</th>
                <th scope="col">{say("purpose")}</th>
              </tr>
            </thead>
            <tbody>
              {manifest.data.map((ask) => (
                <tr key={ask.field} data-field={ask.field}>
                  <th scope="row">
                    {fieldName(ask.field)} <code>{ask.field}</code>
                  </th>
                  <td>{ask.purpose}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          say("none")
        )}
      </dd>
      <dt>{say("roles")}</dt>
      <dd class="roles">
        <List items={manifest.target_roles} />
      </dd>
      <dt>{say("webhook")}</dt>
      <dd class="webhook">
        {manifest.webhook ? (
          <>
            <code>{manifest.webhook.url}</code>
            <List items={manifest.webhook.events} />
          </>
        ) : (
          say("none")
        )}
      </dd>
      {manifest.templates && manifest.templates.length > 0 && (
        <>
          <dt>{say("templates")}</dt>
          <dd>
            <List
              items={manifest.templates.map(
                (template) =>
                  `${template.id}: ${template.titles["zh-CN"]} — ${template.bodies["zh-CN"]}`,
              )}
            />
          </dd>
        </>
      )}
    </dl>
  );
}

const shown = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function Changes({ item }: { item: Schemas["ReviewItem"] }) {
  if (item.against === null) return <p class="notice">{say("firstVersion")}</p>;
  return (
    <>
      <h3>{say("changes")}</h3>
      {item.asks_more && <p class="warning">{say("asksMore")}</p>}
      <ul class="plain changes">
        {item.changes.map((change) => (
          <li key={change.field}>
            <code>{change.field}</code>: {say("was")} <code>{shown(change.was)}</code> →{" "}
            {say("now")} <code>{shown(change.now)}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

function Version({ id }: { id: number }) {
  const version = useLoaded(
    async () =>
      need(
        await api.GET("/v1/miniapps/open_platform/versions/{version_id}", {
          params: { path: { version_id: id } },
        }),
      ),
    [id],
  );
  const queue = useLoaded(async () => need(await api.GET(REVIEWS)), [id]);
  const [reason, setReason] = useState("");
  const [problem, act] = useAction();
  const review = (approved: boolean) =>
    act(async () => {
      need(
        await api.POST("/v1/miniapps/open_platform/versions/{version_id}/review", {
          params: { path: { version_id: id } },
          body: { approved, reason: reason.trim() || null },
        }),
      );
      version.reload();
    });
  const item = queue.data?.items.find((entry) => entry.version.id === id);
  const shownVersion = version.data;
  return (
    <section class="review" data-version={id}>
      <button type="button" class="secondary" onClick={() => go("reviews")}>
        {say("back")}
      </button>
      <ProblemBanner problem={version.problem} />
      {shownVersion && (
        <>
          <h2>
            {appName(shownVersion.manifest.names)} · {shownVersion.label}
          </h2>
          <p>
            {say("status")}:{" "}
            <strong class="version-status" data-status={shownVersion.status}>
              {STATUS(shownVersion.status)}
            </strong>
            {item && (
              <>
                {" · "}
                {say("publisher")}: {item.publisher}
              </>
            )}
            {shownVersion.submitted_at && (
              <>
                {" · "}
                {say("submitted")}: {when(shownVersion.submitted_at)}
              </>
            )}
          </p>
          {shownVersion.reason && (
            <p class="verdict-reason">
              {say("reason")}: {shownVersion.reason}
            </p>
          )}
          {item && <Changes item={item} />}
          <Manifest manifest={shownVersion.manifest} />
          {shownVersion.status === "in_review" && (
            <form class="verdict" onSubmit={(event) => event.preventDefault()}>
              <h3>{say("verdict")}</h3>
              <ProblemBanner problem={problem} />
              <label>
                {say("reason")}
                <textarea
                  name="reason"
                  maxLength={500}
                  value={reason}
                  onInput={(event) => setReason(event.currentTarget.value)}
                />
              </label>
              <div class="actions">
                <button type="button" name="approve" onClick={() => void review(true)}>
                  {say("approve")}
                </button>
                <button
                  type="button"
                  name="reject"
                  class="danger"
                  onClick={() => void review(false)}
                >
                  {say("reject")}
                </button>
              </div>
            </form>
          )}
        </>
      )}
    </section>
  );
}

function Queue() {
  const queue = useLoaded(async () => need(await api.GET(REVIEWS)), []);
  return (
    <section>
      <h3>{say("queue")}</h3>
      <ProblemBanner problem={queue.problem} />
      <Listed
        items={queue.data?.items}
        kind="review-queue"
        heads={[say("app"), say("version"), say("publisher"), say("submitted"), say("changes"), say("actions")]}
        empty={say("noVersions")}
        row={(item) => (
          <tr key={item.version.id} data-version={item.version.id}>
            <th scope="row">{appName(item.version.manifest.names)}</th>
            <td>
              {item.version.label} (#{item.version.number})
            </td>
            <td>{item.publisher}</td>
            <td>{when(item.version.submitted_at)}</td>
            <td>
              {item.against === null ? say("firstVersion") : item.changes.length}
              {item.asks_more && <div class="warning">{say("asksMore")}</div>}
            </td>
            <td>
              <button
                type="button"
                name="open"
                data-version={item.version.id}
                onClick={() => go("reviews", item.version.id)}
              >
                {say("open")}
              </button>
            </td>
          </tr>
        )}
      />
    </section>
  );
}

function Publisher({
  publisher,
  decided,
}: {
  publisher: Schemas["PublisherView"];
  decided: () => void;
}) {
  const [reason, setReason] = useState("");
  const [problem, act] = useAction();
  const decide = (verified: boolean) =>
    act(async () => {
      need(
        await api.POST("/v1/miniapps/open_platform/publishers/{publisher_id}/verification", {
          params: { path: { publisher_id: publisher.id } },
          body: { verified, reason: reason.trim() || null },
        }),
      );
      decided();
    });
  return (
    <tr data-publisher={publisher.id}>
      <th scope="row">{publisher.name}</th>
      <td>
        <code>{publisher.credit_code}</code>
      </td>
      <td>{publisher.contact_email}</td>
      <td>{when(publisher.registered_at)}</td>
      <td>
        <ProblemBanner problem={problem} />
        <div class="actions">
          <button type="button" name="verify" onClick={() => void decide(true)}>
            {say("verify")}
          </button>
          <input
            name="publisher-reason"
            aria-label={`${say("reason")}: ${publisher.name}`}
            placeholder={say("reason")}
            maxLength={500}
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
          <button type="button" name="reject" class="danger" onClick={() => void decide(false)}>
            {say("reject")}
          </button>
        </div>
      </td>
    </tr>
  );
}

function Publishers() {
  const waiting = useLoaded(
    async () => need(await api.GET("/v1/miniapps/open_platform/publishers/waiting")),
    [],
  );
  return (
    <section>
      <h3>{say("publishers")}</h3>
      <ProblemBanner problem={waiting.problem} />
      <Listed
        items={waiting.data?.items}
        kind="publishers"
        heads={[say("publisher"), say("creditCode"), say("contact"), say("registered"), say("actions")]}
        empty={say("noPublishers")}
        row={(publisher) => (
          <Publisher key={publisher.id} publisher={publisher} decided={waiting.reload} />
        )}
      />
    </section>
  );
}

export function Reviews({ me }: { me: Schemas["MeView"] }) {
  const [, id] = useRoute();
  if (id && /^\d+$/.test(id)) return <Version key={id} id={Number(id)} />;
  return (
    <section class="reviews" data-admin={me.user_id}>
      <h2>{say("title")}</h2>
      <Queue />
      <Publishers />
    </section>
  );
}

/** Whether the admin may use this page: the platform's admins review. */
export const mayReview = (me: Schemas["MeView"]) => me.roles.includes("platform_admin");
