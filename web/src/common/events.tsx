// Grid events as both pages show them: a list, and one event with its photos, timeline and
// the steps the caller may take now (the API's `allowed_actions`, nothing guessed here).

import { useEffect, useState } from "preact/hooks";
import { api, need, type Schemas } from "./api";
import { actionName, stateName, t, when } from "./i18n";
import { ProblemBanner, useAction, useLoaded } from "./ui";

type Event = Schemas["EventView"];
type Summary = Schemas["EventSummary"];
type Action = Schemas["Action"];

export function isOverdue(event: { deadline: string | null }): boolean {
  return event.deadline !== null && new Date(event.deadline).getTime() < Date.now();
}

export function EventList({
  events,
  open,
}: {
  events: Summary[];
  open: (event: Summary) => void;
}) {
  if (events.length === 0) return <p class="empty">{t("noEvents")}</p>;
  return (
    <ul class="events">
      {events.map((event) => (
        <li key={event.id}>
          <button type="button" class="event-row" data-event={event.id} onClick={() => open(event)}>
            <span class="event-id">#{event.id}</span>
            <span class="event-text">{event.description}</span>
            <span class={`state state-${event.state}`}>{stateName(event.state)}</span>
            {isOverdue(event) && <span class="overdue">{t("overdue")}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}

export async function listEvents(state?: Schemas["State"]): Promise<Summary[]> {
  const page = need(
    await api.GET("/v1/miniapps/grid_events/events", {
      params: { query: { limit: 100, ...(state ? { state } : {}) } },
    }),
  );
  return page.items;
}

function Photo({ event, photo }: { event: number; photo: Schemas["PhotoView"] }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    void api
      .GET("/v1/miniapps/grid_events/events/{event_id}/photos/{photo_id}", {
        params: { path: { event_id: event, photo_id: photo.id } },
        parseAs: "blob",
      })
      .then((answer) => {
        if (answer.data) setUrl((made = URL.createObjectURL(answer.data)));
      });
    return () => {
      if (made) URL.revokeObjectURL(made);
    };
  }, [event, photo.id]);
  return url ? <img class="photo" src={url} alt={`${t("photo")} ${photo.stage}`} /> : null;
}

export async function addPhoto(event: number, file: File, stage: "before" | "after") {
  need(
    await api.POST("/v1/miniapps/grid_events/events/{event_id}/photos", {
      params: { path: { event_id: event }, query: { stage } },
      body: { photo: "" },
      bodySerializer: () => {
        const form = new FormData();
        form.append("photo", file);
        return form;
      },
    }),
  );
}

const CHOOSES_HANDLER: Action[] = ["dispatch", "reassign"];

/** The grid workers an admin may hand the event to: staff under the event's community, the
 * area an admin over it holds (the API refuses anyone else). */
function HandlerPicker({
  grid,
  chosen,
  choose,
}: {
  grid: string;
  chosen: number | null;
  choose: (handler: number | null) => void;
}) {
  const staff = useLoaded(
    async () =>
      need(await api.GET("/v1/staff", { params: { query: { under: grid, limit: 100 } } })).items,
    [grid],
  );
  const workers = (staff.data ?? []).filter((person) => person.role === "grid_worker");
  return (
    <label>
      {t("handler")}
      <select
        name="handler"
        value={chosen ?? ""}
        onChange={(change) => choose(change.currentTarget.value ? Number(change.currentTarget.value) : null)}
      >
        <option value="">{t("handlerByRules")}</option>
        {workers.map((person) => (
          <option key={person.assignment_id} value={person.user_id}>
            {person.name} · {person.scope_path}
          </option>
        ))}
      </select>
    </label>
  );
}

export function EventDetail({ id }: { id: number }) {
  const loaded = useLoaded(
    async () =>
      need(
        await api.GET("/v1/miniapps/grid_events/events/{event_id}", {
          params: { path: { event_id: id } },
        }),
      ),
    [id],
  );
  const [reason, setReason] = useState("");
  const [handler, setHandler] = useState<number | null>(null);
  const [problem, act] = useAction();
  const event: Event | null = loaded.data;
  const step = (action: Action) =>
    act(async () => {
      need(
        await api.POST("/v1/miniapps/grid_events/events/{event_id}/actions", {
          params: { path: { event_id: id }, header: { "If-Match": `"${event!.version}"` } },
          body: {
            action,
            reason,
            ...(CHOOSES_HANDLER.includes(action) && handler !== null ? { handler_id: handler } : {}),
          },
        }),
      );
      setReason("");
      setHandler(null);
      loaded.reload();
    });
  if (!event) return <ProblemBanner problem={loaded.problem} />;
  return (
    <article class="event" data-state={event.state}>
      <h2>
        #{event.id} <span class={`state state-${event.state}`}>{stateName(event.state)}</span>
      </h2>
      <p>{event.description}</p>
      {event.handler_id !== null && (
        <p data-handler={event.handler_id}>
          {t("handler")}: #{event.handler_id}
        </p>
      )}
      {event.deadline && (
        <p class={isOverdue(event) ? "overdue" : ""}>
          {t("deadline")}: {when(event.deadline)}
        </p>
      )}
      <div class="photos">
        {(event.photos ?? []).map((photo) => (
          <Photo key={photo.id} event={event.id} photo={photo} />
        ))}
      </div>
      <ProblemBanner problem={problem ?? loaded.problem} />
      {event.allowed_actions.length > 0 && (
        <div class="actions">
          <label>
            {t("reason")}
            <input
              name="reason"
              value={reason}
              onInput={(input) => setReason(input.currentTarget.value)}
            />
          </label>
          {event.allowed_actions.some((action) => CHOOSES_HANDLER.includes(action)) && (
            <HandlerPicker
              grid={event.grid_path.split("/").slice(0, -1).join("/")}
              chosen={handler}
              choose={setHandler}
            />
          )}
          {event.allowed_actions.map((action) => (
            <button type="button" key={action} data-action={action} onClick={() => step(action)}>
              {actionName(action)}
            </button>
          ))}
        </div>
      )}
      <h3>{t("timeline")}</h3>
      <ol class="timeline">
        {(event.timeline ?? []).map((entry, index) => (
          <li key={index} data-action={entry.action}>
            <time>{when(entry.at)}</time> {actionName(entry.action)} → {stateName(entry.to_state)}
            {entry.reason && <q>{entry.reason}</q>}
          </li>
        ))}
      </ol>
    </article>
  );
}
