"""Reporting, the state machine, dispatch to the right phone, and views scoped by claims."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from backend.sdk import (
    BadRequest,
    Claims,
    Conflict,
    FieldError,
    Forbidden,
    KernelCode,
    Level,
    NotFound,
    Role,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    json_value,
    level_of,
    person,
    place_in_grid,
    unit_of_work,
    utc_now,
)
from miniapps.grid_events import dispatch, duplicates, notices
from miniapps.grid_events.catalogue import CATEGORIES, attribute_problems
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.schemas import ActIn, EventPage, EventView, ReportIn, TimelineView
from miniapps.grid_events.states import MOVES, Action, Actor, State
from miniapps.grid_events.tables import GridEvent, TimelineEntry

ADMINS = (Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)
SYSTEM = 0  # the actor id of steps the rules take


async def report(*, actor: Claims, data: ReportIn) -> EventView:
    """上报: a resident or grid worker reports; the event is placed in a grid."""
    category = CATEGORIES.get(data.category)
    if category is None:
        raise Unprocessable(
            GridEventsCode.EVENT_REPORT_INVALID,
            errors=[FieldError(field="category", message="unknown category")],
        )
    problems = attribute_problems(category, data.attributes)
    if problems:
        raise Unprocessable(
            GridEventsCode.EVENT_REPORT_INVALID,
            errors=[FieldError(field=f, message=m) for f, m in problems],
        )
    # One transaction from the first read: each read outside one would take a pooled
    # connection and reset it on return, a round trip more per read.
    async with unit_of_work():
        return await _file_report(actor, data)


async def _file_report(actor: Claims, data: ReportIn) -> EventView:
    grid = await _grid_of(actor, data)
    original = await duplicates.original_of(
        category=data.category, grid=grid, lat=data.lat, lon=data.lon
    )
    if original is None:
        return await open_event(data=data, grid=grid, reporter_id=actor.user_id)
    state = State(original["state"])
    await TimelineEntry.insert(
        timeline_step(
            original["id"],
            "duplicate",
            state,
            state,
            actor.user_id,
            data.description,
            {"lat": data.lat, "lon": data.lon},
        )
    )
    return await _view(original["id"])


async def open_event(*, data: ReportIn, grid: str, reporter_id: int, why: str = "") -> EventView:
    """Open an event in `grid`, whoever reports it (a resident, a worker, a device): due by
    its category's time limit, dispatched at once by the rules if the category says so, its
    first steps on the timeline (`why` as the report's reason) and their people told. The
    one way an event comes to be, so that none escapes escalation or goes unannounced.
    Call it inside a unit of work: a dispatch refused, or a caller that rolls back, leaves
    no event, step or notice."""
    category = CATEGORIES[data.category]
    handler = None
    if category.auto_dispatch:
        # Urgent categories skip the desk: registered and dispatched by the rules on report.
        place = {"category": data.category, "grid_path": grid}
        handler = await dispatch.choose_handler(actor=None, event=place, chosen=None)
    state = State.REPORTED if handler is None else State.DISPATCHED
    rows = await GridEvent.insert(
        GridEvent(
            category=data.category,
            description=data.description,
            attributes=data.attributes,
            lat=data.lat,
            lon=data.lon,
            address=data.address,
            grid_path=grid,
            reporter_id=reporter_id,
            state=state,
            handler_id=handler,
            deadline=category.deadline(utc_now(), state),
        )
    ).returning(*GridEvent.all_columns())
    event = rows[0]
    steps = [timeline_step(event["id"], "report", None, State.REPORTED, reporter_id, why)]
    if handler is None:
        await TimelineEntry.insert(*steps)
        await notices.reported(event_id=event["id"], grid=grid, category=category)
    else:
        steps += _dispatched_by_rule(event["id"], handler)
        await TimelineEntry.insert(*steps)
        await notices.moved(action=Action.DISPATCH, event=event, category=category)
    return _view_of(event, steps)


def _dispatched_by_rule(event_id: int, handler: int) -> list[TimelineEntry]:
    return [
        timeline_step(event_id, Action.REGISTER, State.REPORTED, State.REGISTERED, SYSTEM, ""),
        timeline_step(
            event_id,
            Action.DISPATCH,
            State.REGISTERED,
            State.DISPATCHED,
            SYSTEM,
            "",
            {"handler_id": handler},
        ),
    ]


async def _grid_of(actor: Claims, data: ReportIn) -> str:
    if data.lat is not None and data.lon is not None:
        placed = await place_in_grid(lon=data.lon, lat=data.lat)
        if placed:
            return placed
    reporter = await person(actor.user_id)
    home = reporter.home_path if reporter else None
    # Unplaced: the reporter's own grid, or their community's desk if they live in no grid.
    if home and level_of(home) in (Level.GRID, Level.COMMUNITY):
        return home
    held = actor.paths_for(Role.GRID_WORKER)
    if held:
        return held[0]
    if data.lat is None or data.lon is None:  # no place, and no home to fall back on
        raise Unprocessable(GridEventsCode.EVENT_NEEDS_PLACE)
    raise Unprocessable(GridEventsCode.EVENT_NO_GRID)


async def act(
    *, actor: Claims, event_id: int, data: ActIn, expected_version: int | None = None
) -> EventView:
    """Take one step of the chain; an illegal one is a 409 and changes nothing. The step is
    taken from the version read (or the one the caller names): if the event changed in
    between, it is a 409 `event_changed` and nothing of the step is written."""
    event = await event_if_visible(actor, event_id)
    if expected_version is not None and expected_version != event["version"]:
        raise Conflict(GridEventsCode.EVENT_CHANGED)
    move = MOVES[data.action]
    if State(event["state"]) not in move.sources:
        raise Conflict(
            GridEventsCode.EVENT_TRANSITION_ILLEGAL, action=data.action, state=event["state"]
        )
    if not _may(actor, event, move.actors):
        raise Forbidden(KernelCode.FORBIDDEN)
    if move.needs_reason and not data.reason.strip():
        raise BadRequest(GridEventsCode.EVENT_REASON_REQUIRED)
    handler = event["handler_id"]
    if data.action in (Action.DISPATCH, Action.REASSIGN):
        handler = await dispatch.choose_handler(actor=actor, event=event, chosen=data.handler_id)
    category = CATEGORIES[event["category"]]
    async with unit_of_work():
        await change_event(
            event,
            {
                GridEvent.state: move.target,
                GridEvent.handler_id: handler,
                GridEvent.deadline: category.deadline(utc_now(), move.target),
            },
        )
        await TimelineEntry.insert(
            timeline_step(
                event_id,
                data.action,
                State(event["state"]),
                move.target,
                actor.user_id,
                data.reason,
                {"handler_id": handler} if handler != event["handler_id"] else {},
            )
        )
        await notices.moved(
            action=data.action, event={**event, "handler_id": handler}, category=category
        )
    return await _view(event_id)


async def change_event(event: dict[str, Any], values: dict[Column | str, Any]) -> None:
    """Write `values` to the event if it is still at the version `event` was read at, and
    bump its version; else raise `event_changed`. Of two changes made from one reading
    exactly one lands (PostgreSQL re-checks the condition once the first has committed;
    SQLite's write transactions take turns). Call it inside the change's unit of work, so
    that a refused change leaves its timeline rows and notices unwritten."""
    changed = (
        await GridEvent.update(
            {
                **values,
                GridEvent.version: GridEvent.version + 1,
                GridEvent.updated_at: utc_now(),
            }
        )
        .where((GridEvent.id == event["id"]) & (GridEvent.version == event["version"]))
        .returning(GridEvent.id)
    )
    if not changed:
        raise Conflict(GridEventsCode.EVENT_CHANGED)


def version_in(if_match: str | None) -> int | None:
    """The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); None for none or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit() and len(tag) <= 9):
        raise BadRequest(GridEventsCode.IF_MATCH_INVALID)
    return int(tag)


def _may(actor: Claims, event: dict[str, Any], allowed: frozenset[Actor]) -> bool:
    grid = event["grid_path"]
    if Actor.ADMIN in allowed and actor.covers(grid, *ADMINS):
        return True
    if Actor.HANDLER in allowed and event["handler_id"] == actor.user_id:
        return True
    return (
        Actor.VERIFIER in allowed
        and event["handler_id"] != actor.user_id
        and actor.covers(grid, Role.GRID_WORKER, *ADMINS)
    )


def timeline_step(
    event_id: int,
    action: str,
    source: State | None,
    target: State,
    actor_id: int,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> TimelineEntry:
    """One step for the timeline; the caller inserts it with the step's own change."""
    return TimelineEntry(
        event_id=event_id,
        action=action,
        from_state=source,
        to_state=target,
        actor_id=actor_id,
        reason=reason,
        detail=detail or {},
    )


async def event_if_visible(actor: Claims, event_id: int) -> dict[str, Any]:
    """The event if the caller may see it: its reporter, its handler, or staff above it."""
    event = await GridEvent.select().where(GridEvent.id == event_id).first()
    if event is None or not _sees(actor, event):
        raise NotFound(GridEventsCode.EVENT_NOT_FOUND)
    return event


def _sees(actor: Claims, event: dict[str, Any]) -> bool:
    return (
        event["reporter_id"] == actor.user_id
        or event["handler_id"] == actor.user_id
        or actor.covers(event["grid_path"], Role.GRID_WORKER, *ADMINS)
    )


async def event_view(*, actor: Claims, event_id: int) -> EventView:
    await event_if_visible(actor, event_id)
    return await _view(event_id)


async def list_events(
    *, actor: Claims, state: str | None, cursor: str | None, limit: int
) -> EventPage:
    """Residents see their reports; grid workers their queue and grid; admins their subtree.
    Newest first, a page at a time, each page in one query whatever its depth: the page
    after a cursor starts below the last id shown, so none is shown twice or skipped while
    events are added."""
    where: Any = GridEvent.reporter_id == actor.user_id
    where |= GridEvent.handler_id == actor.user_id
    for path in actor.paths_for(Role.GRID_WORKER, *ADMINS):
        where |= (GridEvent.grid_path == path) | GridEvent.grid_path.like(path + "/%")
    if state:
        where &= GridEvent.state == state
    if cursor:
        where &= GridEvent.id < decode_cursor(cursor)
    rows = (
        await GridEvent.select()
        .where(where)
        .order_by(GridEvent.id, ascending=False)
        .limit(limit + 1)
    )
    items = [_view_of(row, []) for row in rows[:limit]]
    more = len(rows) > limit
    return EventPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def _view(event_id: int) -> EventView:
    event = await GridEvent.select().where(GridEvent.id == event_id).first()
    assert event is not None
    timeline = (
        await TimelineEntry.select()
        .where(TimelineEntry.event_id == event_id)
        .order_by(TimelineEntry.id)
    )
    return _view_of(event, timeline)


def _view_of(e: dict[str, Any], timeline: list[dict[str, Any]] | list[TimelineEntry]) -> EventView:
    return EventView(
        id=e["id"],
        category=e["category"],
        description=e["description"],
        attributes=json_value(e["attributes"]),
        grid_path=e["grid_path"],
        state=e["state"],
        reporter_id=e["reporter_id"],
        handler_id=e["handler_id"],
        deadline=e["deadline"],
        duplicate_of=e["duplicate_of"],
        created_at=e["created_at"],
        version=e["version"],
        timeline=[
            TimelineView(
                action=t["action"],
                from_state=t["from_state"],
                to_state=t["to_state"],
                actor_id=t["actor_id"],
                reason=t["reason"],
                at=t["at"],
            )
            for t in timeline
        ],
    )
