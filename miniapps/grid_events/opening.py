"""How an event comes to be: opened in a grid, due by its category's time limit, dispatched
at once by the rules if the category says so, its first steps on the timeline and their
people told. Every event is opened here, whoever reports it (a resident, a worker, a
device), so that none escapes escalation or goes unannounced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from backend.sdk import GroupCommit, fetch_each, insert_rows, unit_of_work, utc_now
from miniapps.grid_events import dispatch, notices
from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.schemas import ReportIn
from miniapps.grid_events.states import Action, State
from miniapps.grid_events.tables import GridEvent, TimelineEntry

SYSTEM = 0  # the actor id of steps the rules take


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """One step for an event's timeline, as `insert_steps` writes it: a plain value rather
    than a table row object, which costs a report a twentieth of its time to build."""

    event_id: int
    action: str
    from_state: State | None
    to_state: State
    actor_id: int
    reason: str
    detail: dict[str, Any]
    at: datetime


Opened = tuple[dict[str, Any], list[Step]]  # the event's row and its first steps


class Opening(msgspec.Struct, frozen=True):
    """An event to open: what was reported, in which grid, by whom, and why."""

    data: ReportIn
    grid: str
    reporter_id: int
    why: str = ""


async def open_event(*, data: ReportIn, grid: str, reporter_id: int, why: str = "") -> Opened:
    """Open an event in `grid`, with `why` as its report's reason. Call it inside a unit of
    work: a dispatch refused, or a caller that rolls back, leaves no event, step or notice."""
    handler = None
    if CATEGORIES[data.category].auto_dispatch:
        # Urgent categories skip the desk: registered and dispatched by the rules on report.
        place = {"category": data.category, "grid_path": grid}
        handler = await dispatch.choose_handler(actor=None, event=place, chosen=None)
    opened = await _open([Opening(data, grid, reporter_id, why)], handlers=[handler])
    return opened[0]


async def _open_reported(openings: Sequence[Opening]) -> list[Opened]:
    async with unit_of_work():
        return await _open(openings, handlers=[None] * len(openings))


# Reports of categories that wait for the desk, all those arriving at once in one
# transaction: a report is a few rows, and the round trips of its own transaction cost
# several times what the rows do.
_REPORTED: GroupCommit[Opening, Opened] = GroupCommit("grid_events.report", _open_reported)


async def open_reported(opening: Opening) -> Opened:
    """Open an event of a category the rules do not dispatch (it waits for the community's
    desk), in a unit of work of its own, shared with the reports that arrive at the same
    time. Call it outside a unit of work."""
    if CATEGORIES[opening.data.category].auto_dispatch:
        raise ValueError(f"{opening.data.category} is dispatched on report: use open_event()")
    return await _REPORTED.write(opening)


async def _open(openings: Sequence[Opening], *, handlers: Sequence[int | None]) -> list[Opened]:
    now = utc_now()
    arg_rows = []
    for opening, handler in zip(openings, handlers, strict=True):
        data = opening.data
        state = State.REPORTED if handler is None else State.DISPATCHED
        deadline = await CATEGORIES[data.category].deadline(now, state)
        arg_rows.append(
            (
                data.category,
                data.description,
                msgspec.json.encode(data.attributes).decode(),
                data.lat,
                data.lon,
                data.address,
                opening.grid,
                opening.reporter_id,
                state,
                handler,
                deadline,
                now,
            )
        )
    events = [dict(row) for row in await fetch_each(_OPEN_EVENT, arg_rows)]
    opened: list[Opened] = []
    for opening, event, handler in zip(openings, events, handlers, strict=True):
        steps = [
            timeline_step(
                event["id"],
                "report",
                None,
                State.REPORTED,
                opening.reporter_id,
                opening.why,
                at=now,
            )
        ]
        if handler is not None:
            steps += _dispatched_by_rule(event["id"], handler, at=now)
        opened.append((event, steps))
    await insert_steps([step for _, steps in opened for step in steps])
    for (event, _), handler in zip(opened, handlers, strict=True):
        category = CATEGORIES[event["category"]]
        if handler is None:
            await notices.reported(event_id=event["id"], grid=event["grid_path"], category=category)
        else:
            await notices.moved(action=Action.DISPATCH, event=event, category=category)
    return opened


# Every report writes one: a statement prepared once, not a query built for each.
_OPEN_EVENT = f"""
INSERT INTO {GridEvent._meta.tablename} (
    category, description, attributes, lat, lon, address, grid_path, reporter_id, state,
    handler_id, deadline, duplicate_of, created_at, updated_at, supervised, version
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, $12, FALSE, 0)
RETURNING {", ".join(column._meta.db_column_name for column in GridEvent.all_columns())}
"""  # noqa: S608 - the table's own names; every value is a placeholder


def timeline_step(
    event_id: int,
    action: str,
    source: State | None,
    target: State,
    actor_id: int,
    reason: str,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> Step:
    """One step for the timeline, taken `at` (now); the caller inserts it with `insert_steps`
    in the unit of work of the step's own change."""
    return Step(
        event_id=event_id,
        action=action,
        from_state=source,
        to_state=target,
        actor_id=actor_id,
        reason=reason,
        detail=detail or {},
        at=at or utc_now(),
    )


_STEP_COLUMNS = (
    TimelineEntry.event_id,
    TimelineEntry.action,
    TimelineEntry.from_state,
    TimelineEntry.to_state,
    TimelineEntry.actor_id,
    TimelineEntry.reason,
    TimelineEntry.detail,
    TimelineEntry.at,
)


async def insert_steps(steps: Sequence[Step]) -> None:
    """Write steps made by `timeline_step` with one prepared statement."""
    await insert_rows(
        TimelineEntry,
        _STEP_COLUMNS,
        [
            (
                step.event_id,
                str(step.action),
                None if step.from_state is None else str(step.from_state),
                str(step.to_state),
                step.actor_id,
                step.reason,
                msgspec.json.encode(step.detail).decode(),
                step.at,
            )
            for step in steps
        ],
    )


def _dispatched_by_rule(event_id: int, handler: int, *, at: datetime) -> list[Step]:
    return [
        timeline_step(
            event_id, Action.REGISTER, State.REPORTED, State.REGISTERED, SYSTEM, "", at=at
        ),
        timeline_step(
            event_id,
            Action.DISPATCH,
            State.REGISTERED,
            State.DISPATCHED,
            SYSTEM,
            "",
            {"handler_id": handler},
            at=at,
        ),
    ]
