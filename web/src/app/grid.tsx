// Grid events for a resident (report, follow their reports) and a grid worker (the queue).

import { useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { addPhoto, EventDetail, EventList, listEvents } from "../common/events";
import { currentLocale, t } from "../common/i18n";
import { go } from "../common/route";
import { ProblemBanner, Section, useAction, useLoaded } from "../common/ui";

type Values = Record<string, string | number | string[]>;

/** The category's own questions (a manhole's damage, a dust site's name), as the catalogue
 * declares them. */
function Attributes({
  attributes,
  values,
  set,
}: {
  attributes: Schemas["Attribute"][];
  values: Values;
  set: (values: Values) => void;
}) {
  return (
    <>
      {attributes.map((attribute) => {
        const name = `attribute-${attribute.name}`;
        const given = values[attribute.name] ?? "";
        const value = Array.isArray(given) ? given.join(",") : given;
        const change = (text: string) => {
          const next = { ...values };
          if (text === "") delete next[attribute.name];
          else if (attribute.kind === "number") next[attribute.name] = Number(text);
          else if (attribute.kind === "multi") next[attribute.name] = text.split(/[,，]\s*/);
          else next[attribute.name] = text;
          set(next);
        };
        return (
          <label key={attribute.name}>
            {attribute.name}
            {attribute.kind === "choice" ? (
              <select name={name} value={value} required={attribute.required} onChange={(e) => change(e.currentTarget.value)}>
                <option value="">—</option>
                {(attribute.choices ?? []).map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
            ) : (
              <input
                name={name}
                type={attribute.kind === "number" ? "number" : attribute.kind === "date" ? "date" : "text"}
                value={value}
                required={attribute.required}
                onInput={(e) => change(e.currentTarget.value)}
              />
            )}
          </label>
        );
      })}
    </>
  );
}

function Report() {
  const categories = useLoaded(async () =>
    need(await api.GET("/v1/miniapps/grid_events/categories", { params: { query: { limit: 100 } } }))
      .items,
  );
  const [category, setCategory] = useState("");
  const [description, setDescription] = useState("");
  const [address, setAddress] = useState("");
  const [where, setWhere] = useState<{ lat: number; lon: number } | null>(null);
  const [whereNote, setWhereNote] = useState("");
  const [photo, setPhoto] = useState<File | null>(null);
  const [values, setValues] = useState<Values>({});
  const [problem, act] = useAction();
  const locate = () =>
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setWhere({ lat: position.coords.latitude, lon: position.coords.longitude });
        setWhereNote(t("locationTaken"));
      },
      () => setWhereNote(t("locationRefused")),
      { timeout: 10_000 },
    );
  // One key per report: pressed again after a dropped answer or a failed photo upload, the
  // form gets the event it made the first time, and the photo goes to that one.
  const [reportKey, setReportKey] = useState(() => crypto.randomUUID());
  const submit = (submitted: Event) => {
    submitted.preventDefault();
    void act(async () => {
      const answer = await api.POST("/v1/miniapps/grid_events/events", {
        headers: { "Idempotency-Key": reportKey },
        body: {
            category: chosen,
            description,
            address,
            attributes: values,
            lat: where?.lat,
            lon: where?.lon,
          },
      });
      if (answer.response.status >= 400 && answer.response.status < 500) {
        setReportKey(crypto.randomUUID()); // a refusal is kept under its key: a fixed form is new
      }
      const event = need(answer);
      if (photo) await addPhoto(event.id, photo, "before");
      go("grid_events", "event", event.id);
    });
  };
  const chosen = category || categories.data?.[0]?.code || "";
  const attributes = categories.data?.find((item) => item.code === chosen)?.attributes ?? [];
  return (
    <Section title={t("report")}>
      <ProblemBanner problem={problem ?? categories.problem} />
      <form class="report" onSubmit={submit}>
        <label>
          {t("category")}
          <select
            name="category"
            value={chosen}
            onChange={(change) => {
              setCategory(change.currentTarget.value);
              setValues({});
            }}
          >
            {categories.data?.map((item) => (
              <option key={item.code} value={item.code}>
                {item.names[currentLocale()] ?? item.names["zh-CN"] ?? item.code}
              </option>
            ))}
          </select>
        </label>
        <Attributes attributes={attributes} values={values} set={setValues} />
        <label>
          {t("description")}
          <textarea
            name="description"
            value={description}
            onInput={(input) => setDescription(input.currentTarget.value)}
          />
        </label>
        <label>
          {t("address")}
          <input
            name="address"
            value={address}
            onInput={(input) => setAddress(input.currentTarget.value)}
          />
        </label>
        <button type="button" class="secondary" onClick={locate}>
          {t("useLocation")}
        </button>
        {whereNote && <p class="notice">{whereNote}</p>}
        <label>
          {t("photo")}
          <input
            name="photo"
            type="file"
            accept="image/jpeg,image/png"
            capture="environment"
            onChange={(change) => setPhoto(change.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <button type="submit">{t("submit")}</button>
      </form>
    </Section>
  );
}

function Events({ title }: { title: string }) {
  const events = useLoaded(() => listEvents());
  return (
    <Section title={title}>
      <ProblemBanner problem={events.problem} />
      {events.data && (
        <EventList events={events.data} open={(event) => go("grid_events", "event", event.id)} />
      )}
    </Section>
  );
}

export function GridEvents({ screen, id }: { screen: string; id?: string }) {
  if (screen === "event" && id) return <EventDetail id={Number(id)} />;
  if (screen === "queue") return <Events title={t("queue")} />;
  return (
    <>
      <Report />
      <Events title={t("myReports")} />
    </>
  );
}
