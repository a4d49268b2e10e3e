// Legal consultations (法律咨询): a resident asks and follows their questions; a lawyer takes
// pooled questions from their queue and answers in the thread; the asker rates the answer.

import { useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { when, wordsOf } from "../common/i18n";
import { go } from "../common/route";
import { ProblemBanner, Section, useAction, useLoaded } from "../common/ui";

type Consultation = Schemas["ConsultationView"];
type Speciality = Schemas["Speciality"];

const say = wordsOf({
  ask: ["法律咨询", "Ask a lawyer"],
  askHint: ["请描述您遇到的问题，值班律师会尽快答复", "Describe your problem; a lawyer on duty will answer"],
  category: ["问题类别", "About"],
  question: ["您的问题", "Your question"],
  submit: ["提交咨询", "Ask"],
  mine: ["我的咨询", "My questions"],
  queue: ["咨询待办", "Questions to answer"],
  noQuestions: ["暂无咨询", "No questions"],
  pooled: ["待领取", "In the pool"],
  take: ["领取", "Take"],
  lawyer: ["律师", "Lawyer"],
  me: ["我", "Me"],
  asker: ["咨询人", "Asker"],
  noLawyerYet: ["等待律师领取", "Waiting for a lawyer"],
  dueBy: ["答复时限", "Answer due"],
  thread: ["咨询记录", "Thread"],
  write: ["回复内容", "Your message"],
  send: ["发送", "Send"],
  rate: ["评价答复", "Rate the answer"],
  stars: ["评分（1–5 星）", "Stars (1–5)"],
  comment: ["评价内容（选填）", "Comment (optional)"],
  rateButton: ["提交评价", "Rate"],
  rated: ["您的评价", "Your rating"],
  open: ["查看", "Open"],
});

const STATUS = wordsOf({
  waiting: ["待答复", "Waiting"],
  answered: ["已答复", "Answered"],
  closed: ["已结束", "Closed"],
});

const CATEGORY = wordsOf({
  family: ["婚姻家庭", "Family"],
  labour: ["劳动争议", "Labour"],
  contract: ["合同纠纷", "Contracts"],
  property: ["房产物业", "Property"],
  traffic: ["交通事故", "Traffic accidents"],
  criminal: ["刑事", "Criminal"],
  administrative: ["行政", "Administrative"],
  other: ["其他", "Other"],
});

const CATEGORIES: Speciality[] = [
  "family",
  "labour",
  "contract",
  "property",
  "traffic",
  "criminal",
  "administrative",
  "other",
];

function ConsultationList({
  items,
  take,
}: {
  items: Consultation[];
  take?: (consultation: Consultation) => void;
}) {
  if (items.length === 0) return <p class="empty">{say("noQuestions")}</p>;
  return (
    <ul class="events legal-list">
      {items.map((item) => (
        <li key={item.id} class="legal-row">
          <button
            type="button"
            class="event-row"
            data-consultation={item.id}
            onClick={() => go("legal_aid", "question", item.id)}
          >
            <span class="event-id">#{item.id}</span>
            <span class="event-text">{item.question}</span>
            <span class="state">{CATEGORY(item.category)}</span>
            <span class={`state legal-${item.status}`}>
              {item.lawyer_id === null ? say("pooled") : STATUS(item.status)}
            </span>
          </button>
          {take && item.lawyer_id === null && (
            <button type="button" data-take={item.id} onClick={() => take(item)}>
              {say("take")}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function Ask() {
  const [category, setCategory] = useState<Speciality>("labour");
  const [question, setQuestion] = useState("");
  const [problem, act] = useAction();
  const mine = useLoaded(async () =>
    need(await api.GET("/v1/miniapps/legal_aid/consultations/mine", { params: { query: { limit: 50 } } }))
      .items,
  );
  // No length checks in the page: the API's own problem says what is wrong, in words.
  const submit = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      const asked = need(
        await api.POST("/v1/miniapps/legal_aid/consultations", { body: { category, question } }),
      );
      go("legal_aid", "question", asked.id);
    });
  };
  return (
    <>
      <Section title={say("ask")}>
        <p class="notice">{say("askHint")}</p>
        <ProblemBanner problem={problem} />
        <form class="legal-ask" onSubmit={submit}>
          <label>
            {say("category")}
            <select
              name="category"
              value={category}
              onChange={(e) => setCategory(e.currentTarget.value as Speciality)}
            >
              {CATEGORIES.map((code) => (
                <option key={code} value={code}>
                  {CATEGORY(code)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {say("question")}
            <textarea
              name="question"
              value={question}
              onInput={(e) => setQuestion(e.currentTarget.value)}
            />
          </label>
          <button type="submit">{say("submit")}</button>
        </form>
      </Section>
      <Section title={say("mine")}>
        <ProblemBanner problem={mine.problem} />
        {mine.data && <ConsultationList items={mine.data} />}
      </Section>
    </>
  );
}

function Queue() {
  const queue = useLoaded(async () =>
    need(await api.GET("/v1/miniapps/legal_aid/consultations/queue", { params: { query: { limit: 50 } } }))
      .items,
  );
  const [problem, act] = useAction();
  const take = (item: Consultation) =>
    act(async () => {
      need(
        await api.POST("/v1/miniapps/legal_aid/consultations/{consultation_id}/take", {
          params: { path: { consultation_id: item.id } },
        }),
      );
      go("legal_aid", "question", item.id);
    });
  return (
    <Section title={say("queue")}>
      <ProblemBanner problem={problem ?? queue.problem} />
      {queue.data && <ConsultationList items={queue.data} take={(item) => void take(item)} />}
    </Section>
  );
}

function Rating({
  consultation,
  rated,
}: {
  consultation: Consultation;
  rated: (rated: Consultation) => void;
}) {
  const [stars, setStars] = useState(5);
  const [comment, setComment] = useState("");
  const [problem, act] = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void act(async () =>
      rated(
        need(
          await api.POST("/v1/miniapps/legal_aid/consultations/{consultation_id}/rating", {
            params: { path: { consultation_id: consultation.id } },
            body: { stars, comment: comment || null },
          }),
        ),
      ),
    );
  };
  return (
    <form class="legal-rate" onSubmit={submit}>
      <h3>{say("rate")}</h3>
      <ProblemBanner problem={problem} />
      <fieldset class="legal-stars">
        <legend>{say("stars")}</legend>
        {[1, 2, 3, 4, 5].map((value) => (
          <button
            type="button"
            key={value}
            data-stars={value}
            aria-pressed={stars === value}
            onClick={() => setStars(value)}
          >
            {value}
          </button>
        ))}
      </fieldset>
      <label>
        {say("comment")}
        <input name="comment" value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      <button type="submit">{say("rateButton")}</button>
    </form>
  );
}

function Thread({ id, me }: { id: number; me: Schemas["MeView"] }) {
  const loaded = useLoaded(
    async () =>
      need(
        await api.GET("/v1/miniapps/legal_aid/consultations/{consultation_id}", {
          params: { path: { consultation_id: id } },
        }),
      ),
    [id],
  );
  const [shown, setShown] = useState<Consultation | null>(null);
  const [text, setText] = useState("");
  const [problem, act] = useAction();
  const consultation = shown?.id === id ? shown : loaded.data;
  if (!consultation) return <ProblemBanner problem={loaded.problem} />;
  const asker = consultation.asker_id === me.user_id;
  const lawyer = consultation.lawyer_id === me.user_id;
  const take = () =>
    act(async () =>
      setShown(
        need(
          await api.POST("/v1/miniapps/legal_aid/consultations/{consultation_id}/take", {
            params: { path: { consultation_id: id } },
          }),
        ),
      ),
    );
  const send = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      setShown(
        need(
          await api.POST("/v1/miniapps/legal_aid/consultations/{consultation_id}/messages", {
            params: { path: { consultation_id: id } },
            body: { text },
          }),
        ),
      );
      setText("");
    });
  };
  return (
    <article class="legal-thread" data-status={consultation.status} data-consultation={consultation.id}>
      <h2>
        #{consultation.id} {CATEGORY(consultation.category)}{" "}
        <span class={`state legal-${consultation.status}`}>{STATUS(consultation.status)}</span>
      </h2>
      <p class="legal-question">{consultation.question}</p>
      <p class="notice">
        {when(consultation.asked_at)} · {say("lawyer")}: {consultation.lawyer_name ?? say("noLawyerYet")}
        {consultation.status === "waiting" && ` · ${say("dueBy")} ${when(consultation.answer_due_at)}`}
      </p>
      <ProblemBanner problem={problem ?? loaded.problem} />
      {!asker && consultation.lawyer_id === null && (
        <button type="button" class="legal-take" onClick={() => void take()}>
          {say("take")}
        </button>
      )}
      <h3>{say("thread")}</h3>
      <ol class="legal-messages">
        {(consultation.messages ?? []).map((message) => (
          <li
            key={message.id}
            class={message.by_lawyer ? "by-lawyer" : "by-asker"}
            data-by-lawyer={String(message.by_lawyer)}
          >
            <strong>
              {(message.by_lawyer ? lawyer : asker)
                ? say("me")
                : message.by_lawyer
                  ? say("lawyer")
                  : say("asker")}
            </strong>{" "}
            <time>{when(message.at)}</time>
            <p>{message.text}</p>
          </li>
        ))}
      </ol>
      {(asker || lawyer) && consultation.status !== "closed" && (
        <form class="legal-reply" onSubmit={send}>
          <label>
            {say("write")}
            <textarea name="message" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <button type="submit">{say("send")}</button>
        </form>
      )}
      {asker && consultation.status === "answered" && consultation.rating === null && (
        <Rating consultation={consultation} rated={setShown} />
      )}
      {consultation.rating !== null && (
        <p class="legal-rating" data-rating={consultation.rating}>
          {say("rated")}: {"★".repeat(consultation.rating)}
          {"☆".repeat(5 - consultation.rating)}
        </p>
      )}
    </article>
  );
}

export function LegalAid({ screen, id }: { screen: string; id?: string }) {
  const me = useLoaded(async () => need(await api.GET("/v1/me")));
  if (screen === "question" && id) {
    if (!me.data) return <ProblemBanner problem={me.problem} />;
    return <Thread id={Number(id)} me={me.data} />;
  }
  if (screen === "queue") return <Queue />;
  return <Ask />;
}
