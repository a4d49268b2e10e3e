"""Numbers for admins over their subtree: counts by state, the overdue, closure and on-time
rates, and the median time to 立案 and to 结案."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import msgspec

from backend.sdk import Claims, Forbidden, KernelCode, require_unit
from miniapps.grid_events.states import WATCHED, State
from miniapps.grid_events.tables import Escalation, GridEvent, TimelineEntry


class EventStats(msgspec.Struct, frozen=True, kw_only=True):
    under: str
    by_state: dict[str, int]
    overdue: list[int]
    closure_rate: float | None
    on_time_rate: float | None
    median_minutes_to_register: float | None
    median_minutes_to_close: float | None


async def stats_for(*, actor: Claims, under: str, admins: tuple[Any, ...]) -> EventStats:
    if not actor.covers(under, *admins):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    await require_unit(under, field="under")
    events = await GridEvent.select(
        GridEvent.id, GridEvent.state, GridEvent.deadline, GridEvent.created_at
    ).where((GridEvent.grid_path == under) | GridEvent.grid_path.like(under + "/%"))
    ids = [e["id"] for e in events] or [0]
    by_state: dict[str, int] = {}
    for event in events:
        by_state[event["state"]] = by_state.get(event["state"], 0) + 1
    now = dt.datetime.now(dt.UTC)
    overdue = [
        e["id"]
        for e in events
        if e["state"] in WATCHED and e["deadline"] is not None and e["deadline"] < now
    ]
    closed = [e for e in events if e["state"] == State.CLOSED]
    escalated = {
        r["event_id"]
        for r in await Escalation.select(Escalation.event_id).where(Escalation.event_id.is_in(ids))
    }
    steps = await TimelineEntry.select(
        TimelineEntry.event_id, TimelineEntry.action, TimelineEntry.at
    ).where(TimelineEntry.event_id.is_in(ids) & TimelineEntry.action.is_in(["register", "close"]))
    started = {e["id"]: e["created_at"] for e in events}
    return EventStats(
        under=under,
        by_state=by_state,
        overdue=overdue,
        closure_rate=len(closed) / len(events) if events else None,
        on_time_rate=(
            sum(e["id"] not in escalated for e in closed) / len(closed) if closed else None
        ),
        median_minutes_to_register=_median(steps, started, "register"),
        median_minutes_to_close=_median(steps, started, "close"),
    )


def _median(
    steps: list[dict[str, Any]], started: dict[int, dt.datetime], action: str
) -> float | None:
    minutes = [
        (s["at"] - started[s["event_id"]]).total_seconds() / 60
        for s in steps
        if s["action"] == action
    ]
    return round(statistics.median(minutes), 1) if minutes else None
