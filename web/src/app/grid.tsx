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

const PLACE_DEPTH = { community: 4, grid: 5 } as const;

/** Picking the community (or, below it, the grid) from the org tree, a level at a time: the
 * place of a report when the phone gives no position. `path` is the deepest unit chosen. */
function PlacePicker({ path, choose }: { path: string; choose: (path: string) => void }) {
  const chosen = path ? path.split("/") : [];
  const levels = chosen.length < PLACE_DEPTH.grid ? [...chosen, ""] : chosen;
  return (
    <fieldset class="place-picker">
      <legend>{t("pickPlace")}</legend>
      {levels.map((_, depth) => (
        <UnitChoice
          key={depth}
          parent={chosen.slice(0, depth).join("/")}
          value={chosen.slice(0, depth + 1).join("/")}
          choose={(unit) => choose(unit || chosen.slice(0, depth).join("/"))}
        />
      ))}
    </fieldset>
  );
}

function UnitChoice({
  parent,
  value,
  choose,
}: {
  parent: string;
  value: string;
  choose: (path: string) => void;
}) {
  const units = useLoaded(
    async () =>
      need(
        await api.GET("/v1/orgs", {
          params: { query: { limit: 100, ...(parent ? { parent } : {}) } },
        }),
      ).items,
    [parent],
  );
  if (!units.data || units.data.length === 0) return <ProblemBanner problem={units.problem} />;
  return (
    <select
      name={`place-${parent.split("/").filter(Boolean).length}`}
      aria-label={t("pickPlace")}
      value={value}
      onChange={(change) => choose(change.currentTarget.value)}
    >
      <option value="">—</option>
      {units.data.map((unit) => (
        <option key={unit.path} value={unit.path}>
          {unit.name}
        </option>
      ))}
    </select>
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
  const [place, setPlace] = useState("");
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
            ...(place.split("/").length >= PLACE_DEPTH.community ? { place } : {}),
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
        {!where && <PlacePicker path={place} choose={setPlace} />}
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
