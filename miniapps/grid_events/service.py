"""Reporting, the state machine, dispatch to the right phone, and views scoped by claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import msgspec
from piccolo.columns import Column
from piccolo.query import Select

from backend.sdk import (
    BadRequest,
    Claims,
    Conflict,
    FieldError,
    Level,
    NotFound,
    PreconditionFailed,
    Role,
    Unprocessable,
    Vault,
    decode_cursor,
    decode_position,
    encode_cursor,
    encode_position,
    fetch_rows,
    json_value,
    level_of,
    masked_contact,
    person,
    place_in_grid,
    unit_exists,
    unit_of_work,
    utc_now,
)
from miniapps.grid_events import dispatch, duplicates, notices
from miniapps.grid_events.catalogue import CATEGORIES, attribute_problems
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.opening import (
    SYSTEM,
    Opening,
    Step,
    insert_steps,
    open_event,
    open_reported,
    timeline_step,
)
from miniapps.grid_events.schemas import (
    ActIn,
    CategoryPage,
    EventPage,
    EventSummary,
    EventView,
    PhotoTaker,
    PhotoView,
    ReportIn,
    TimelineView,
)
from miniapps.grid_events.states import DUE, FINISHED, MOVES, Action, Actor, State
from miniapps.grid_events.tables import GridEvent, Photo, TimelineEntry
from miniapps.grid_events.workflow import ADMINS as ADMINS  # the routes' guards name it here
from miniapps.grid_events.workflow import allowed_actions, relations, require_allowed


class CategoryPosition(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Where a page of the catalogue ends: the last category code shown."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


def categories_page(*, cursor: str | None, limit: int) -> CategoryPage:
    """The catalogue's categories by code, `limit` at a time, after the cursor's code."""
    after = decode_position(cursor, CategoryPosition).code if cursor else ""
    rest = [CATEGORIES[code] for code in sorted(CATEGORIES) if code > after]
    items = rest[:limit]
    more = len(rest) > limit
    return CategoryPage(
        items=items,
        next_cursor=encode_position(CategoryPosition(items[-1].code)) if more else None,
    )


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
    grid = await _grid_of(actor, data)
    original = await duplicates.original_of(
        category=data.category, grid=grid, lat=data.lat, lon=data.lon
    )
    if original is not None:
        async with unit_of_work():
            return await _repeated(original, actor, data)
    if category.auto_dispatch:
        async with unit_of_work():
            event, steps = await open_event(data=data, grid=grid, reporter_id=actor.user_id)
    else:
        event, steps = await open_reported(Opening(data, grid, actor.user_id))
    return _view_of(event, actor, timeline=steps)


async def _repeated(original: dict[str, Any], actor: Claims, data: ReportIn) -> EventView:
    """A report of an open event nearby: a step on that event's timeline."""
    state = State(original["state"])
    await insert_steps(
        [
            timeline_step(
                original["id"],
                "duplicate",
                state,
                state,
                actor.user_id,
                data.description,
                {"lat": data.lat, "lon": data.lon},
            )
        ]
    )
    repeated = await GridEvent.select().where(GridEvent.id == original["id"]).first()
    assert repeated is not None  # open a moment ago
    return await _detail(repeated, actor)


async def _grid_of(actor: Claims, data: ReportIn) -> str:
    if data.lat is not None and data.lon is not None:
        placed = await place_in_grid(lon=data.lon, lat=data.lat)
        if placed:
            return placed
    if data.place is not None:
        return await _picked(data.place)
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


async def _picked(place: str) -> str:
    """A community or grid the reporter picked: the event lands at its desk."""
    if level_of(place) not in (Level.GRID, Level.COMMUNITY) or not await unit_exists(place):
        raise Unprocessable(
            GridEventsCode.EVENT_REPORT_INVALID,
            errors=[FieldError(field="place", message="not a community or grid of the city")],
        )
    return place


async def act(
    *,
    actor: Claims,
    event_id: int,
    data: ActIn,
    vault: Vault,
    expected_version: int | None = None,
) -> EventView:
    """Take one step of the chain; one the state does not take is a 409, one the caller may
    not take a 403 saying why (`workflow`), and either changes nothing. The step is taken
    from the version read, or the one the caller names with `If-Match`: if the event changed
    since, it is `event_changed` (a 409, or a 412 when the caller named the version) and
    nothing of the step is written."""
    event = await event_if_visible(actor, event_id)
    named = expected_version is not None
    if named and expected_version != event["version"]:
        raise PreconditionFailed(GridEventsCode.EVENT_CHANGED)
    require_allowed(actor, event, data.action)
    move = MOVES[data.action]
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
                GridEvent.deadline: (
                    await category.deadline(utc_now(), move.target) if move.target in DUE else None
                ),
            },
            version_named=named,
        )
        await insert_steps(
            [
                timeline_step(
                    event_id,
                    data.action,
                    State(event["state"]),
                    move.target,
                    actor.user_id,
                    data.reason,
                    {"handler_id": handler} if handler != event["handler_id"] else {},
                )
            ]
        )
        await notices.moved(
            action=data.action, event={**event, "handler_id": handler}, category=category
        )
    return await event_view(actor=actor, event_id=event_id, vault=vault)


async def change_event(
    event: dict[str, Any], values: dict[Column | str, Any], *, version_named: bool = False
) -> None:
    """Write `values` to the event if it is still at the version `event` was read at, and
    bump its version; else raise `event_changed` (a 412 when the client named that version
    with `If-Match`, its precondition having failed; else a 409). Of two changes made from
    one reading exactly one lands (PostgreSQL re-checks the condition once the first has
    committed; SQLite's write transactions take turns). Call it inside the change's unit of work, so
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
        refusal = PreconditionFailed if version_named else Conflict
        raise refusal(GridEventsCode.EVENT_CHANGED)


def version_in(if_match: str | None) -> int | None:
    """The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); None for none or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit() and len(tag) <= 9):
        raise BadRequest(GridEventsCode.IF_MATCH_INVALID)
    return int(tag)


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


async def event_view(*, actor: Claims, event_id: int, vault: Vault) -> EventView:
    """One event as the caller may see it: its timeline, its photos, the steps the caller may
    take, and, for its handler, the reporter's masked contact."""
    event = await event_if_visible(actor, event_id)
    view = await _detail(event, actor)
    if not _calls_back(actor, event):
        return view
    return msgspec.structs.replace(
        view, reporter_contact=await masked_contact(event["reporter_id"], vault)
    )


def _calls_back(actor: Claims, event: dict[str, Any]) -> bool:
    """Whether the caller is who calls the reporter back: the worker handling the event,
    while it is open. Nobody else sees the reporter's contact, and a device has none."""
    return (
        event["handler_id"] == actor.user_id
        and event["reporter_id"] not in (actor.user_id, SYSTEM)
        and State(event["state"]) not in FINISHED
    )


async def list_events(
    *, actor: Claims, state: str | None, cursor: str | None, limit: int
) -> EventPage:
    """Residents see their reports; grid workers their queue and grid; admins their subtree.
    Newest first, a page at a time, each page in one statement whatever its depth: the page
    after a cursor starts below the last id shown, so none is shown twice or skipped while
    events are added."""
    sql, args = _page_query(actor, state, decode_cursor(cursor) if cursor else None, limit + 1)
    rows = await fetch_rows(sql, *args)
    lines = _Lines(actor)
    items = [lines.summary(row) for row in rows[:limit]]
    more = len(rows) > limit
    return EventPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


_LISTED = (
    "id, category, description, grid_path, state, reporter_id, handler_id, deadline, "
    "duplicate_of, created_at, version"
)


def _page_query(
    actor: Claims, state: str | None, below: int | None, count: int
) -> tuple[str, list[Any]]:
    """The statement of a page: the caller's scope as one condition, placeholders for every
    value (the paths' number shapes the text, so a caller's pages share one prepared plan)."""
    args: list[Any] = [actor.user_id]
    scope = ["reporter_id = $1", "handler_id = $1"]
    for path in actor.paths_for(Role.GRID_WORKER, *ADMINS):
        args += [path, path + "/%"]
        scope.append(f"grid_path = ${len(args) - 1} OR grid_path LIKE ${len(args)}")
    where = f"({' OR '.join(scope)})"
    if state:
        args.append(state)
        where += f" AND state = ${len(args)}"
    if below is not None:
        args.append(below)
        where += f" AND id < ${len(args)}"
    args.append(count)
    table = GridEvent._meta.tablename
    # Only placeholders and the code's own column and table names are written into it.
    sql = f"SELECT {_LISTED} FROM {table} WHERE {where} ORDER BY id DESC LIMIT ${len(args)}"  # noqa: S608
    return sql, args


class _Lines:
    """Builds a page's lines for one caller. What the caller is to an event depends only on
    its grid and whether the caller handles it, and the actions on that and the state, so a
    page works each out once, not once a row."""

    def __init__(self, actor: Claims) -> None:
        self.actor = actor
        self._related: dict[tuple[str, bool], frozenset[Actor]] = {}

    def summary(self, row: Mapping[str, Any]) -> EventSummary:
        state = State(row["state"])
        handles = row["handler_id"] == self.actor.user_id
        key = (row["grid_path"], handles)
        related = self._related.get(key)
        if related is None:
            related = self._related[key] = relations(self.actor, row)
        return EventSummary(
            id=row["id"],
            category=row["category"],
            description=row["description"],
            grid_path=row["grid_path"],
            state=state,
            reporter_id=row["reporter_id"],
            handler_id=row["handler_id"],
            deadline=row["deadline"] if state in DUE else None,
            duplicate_of=row["duplicate_of"],
            created_at=row["created_at"],
            version=row["version"],
            allowed_actions=allowed_actions(state, related),
        )


def timeline_of(event: dict[str, Any]) -> Select:
    """An event's steps in order. None is older than the event (a day of slack for the clocks
    that stamp the two), which spares PostgreSQL the timeline's months before it."""
    since = event["created_at"] - dt.timedelta(days=1)
    return (
        TimelineEntry.select()
        .where((TimelineEntry.event_id == event["id"]) & (TimelineEntry.at >= since))
        .order_by(TimelineEntry.id)
    )


async def _detail(event: dict[str, Any], actor: Claims) -> EventView:
    """The event's row with its timeline and photos, for the caller."""
    timeline = await timeline_of(event)
    photos = (
        await Photo.select(Photo.id, Photo.stage, Photo.uploaded_by, Photo.at)
        .where(Photo.event_id == event["id"])
        .order_by(Photo.id)
    )
    return _view_of(event, actor, timeline=timeline, photos=photos)


def _view_of(
    e: dict[str, Any],
    actor: Claims,
    *,
    timeline: Sequence[dict[str, Any]] | Sequence[Step] = (),
    photos: Sequence[dict[str, Any]] = (),
) -> EventView:
    """The view of an event's row for the caller; what it holds beyond the row (timeline,
    photos) is given, so that a page of rows is built without a query per row."""
    state = State(e["state"])
    staff = actor.covers(e["grid_path"], Role.GRID_WORKER, *ADMINS)
    return EventView(
        id=e["id"],
        category=e["category"],
        description=e["description"],
        attributes=json_value(e["attributes"]),
        grid_path=e["grid_path"],
        state=state,
        reporter_id=e["reporter_id"],
        handler_id=e["handler_id"],
        deadline=e["deadline"] if state in DUE else None,
        duplicate_of=e["duplicate_of"],
        created_at=e["created_at"],
        version=e["version"],
        allowed_actions=allowed_actions(state, relations(actor, e)),
        photos=[_photo_view(p, e, actor, staff=staff) for p in photos],
        timeline=[_step_view(t) for t in timeline],
    )


def _step_view(step: dict[str, Any] | Step) -> TimelineView:
    """A step as read from the timeline, or as just written."""
    if isinstance(step, Step):
        return TimelineView(
            action=step.action,
            from_state=step.from_state,
            to_state=step.to_state,
            actor_id=step.actor_id,
            reason=step.reason,
            at=step.at,
        )
    return TimelineView(
        action=step["action"],
        from_state=step["from_state"],
        to_state=step["to_state"],
        actor_id=step["actor_id"],
        reason=step["reason"],
        at=step["at"],
    )


def _photo_view(
    photo: dict[str, Any], event: dict[str, Any], actor: Claims, *, staff: bool
) -> PhotoView:
    taker = photo["uploaded_by"]
    if taker == event["reporter_id"]:
        taken_by = PhotoTaker.REPORTER
    elif taker == event["handler_id"]:
        taken_by = PhotoTaker.HANDLER
    else:
        taken_by = PhotoTaker.STAFF
    return PhotoView(
        id=photo["id"],
        stage=photo["stage"],
        taken_by=taken_by,
        taken_by_id=taker if staff or taker == actor.user_id else None,
        at=photo["at"],
    )
