"""Time limits: an event past its step's deadline goes one level up the org tree for
supervision (督办), once per level, then again one step period later, up to the district."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.sdk import (
    UNIQUE_VIOLATION,
    Audience,
    Conflict,
    Level,
    Role,
    Template,
    ancestors,
    level_of,
    notify,
    unit_at,
    unit_of_work,
)
from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.deadlines import deadline_after
from miniapps.grid_events.notices import category_data, deep_link
from miniapps.grid_events.service import change_event
from miniapps.grid_events.states import WATCHED, State
from miniapps.grid_events.tables import Escalation, GridEvent, TimelineEntry

SUPERVISORS = {Level.COMMUNITY: Role.COMMUNITY_ADMIN, Level.DISTRICT: Role.DISTRICT_ADMIN}

OVERDUE = Template(
    key="grid_events.overdue",
    category="grid_events",
    titles={"zh-CN": "督办:事件{event}已超时", "en": "Supervision: event {event} is overdue"},
    bodies={"zh-CN": "{category_zh},{grid_name}", "en": "{category_en}, {grid_name}"},
)


def levels_above(grid: str) -> list[str]:
    """The units an overdue event climbs to, nearest first: its community, then district."""
    return [p for p in reversed(ancestors(grid)) if level_of(p) in SUPERVISORS]


async def escalate_overdue() -> int:
    """Cron: escalate every overdue open event one level; returns how many moved up."""
    now = dt.datetime.now(dt.UTC)
    rows = await GridEvent.select().where(
        GridEvent.state.is_in(list(WATCHED)) & (GridEvent.deadline < now)
    )
    moved = 0
    for event in rows:
        moved += await _escalate(event, now)
    return moved


async def _escalate(event: dict[str, Any], now: dt.datetime) -> int:
    done = await Escalation.count().where(Escalation.event_id == event["id"])
    levels = levels_above(event["grid_path"])
    category = CATEGORIES[event["category"]]
    step = category.hours_for(State(event["state"]))
    due = await deadline_after(event["deadline"], done * step, working_hours=category.working_hours)
    if done >= len(levels) or now < due:
        return 0
    level = levels[done]
    unit = await unit_at(event["grid_path"])
    try:
        async with unit_of_work():
            await Escalation.insert(Escalation(event_id=event["id"], level=level))
            await change_event(event, {GridEvent.supervised: True})
            await TimelineEntry.insert(
                TimelineEntry(
                    event_id=event["id"],
                    action="escalate",
                    from_state=event["state"],
                    to_state=event["state"],
                    actor_id=0,
                    reason=f"超时督办 → {level}",
                )
            )
            await notify(
                audience=Audience.role_within(SUPERVISORS[level_of(level)], level),
                template=OVERDUE,
                source="grid_events",
                urgent=True,
                data={
                    "event": str(event["id"]),
                    "grid": event["grid_path"],
                    # The unit's own name is a proper name, the same in every locale.
                    "grid_name": unit.name if unit else event["grid_path"],
                    **category_data(category),
                },
                deep_link=deep_link(event["id"]),
            )
    except UNIQUE_VIOLATION:
        return 0  # another worker escalated it to this level first
    except Conflict:
        return 0  # the event moved since it was read: the next run weighs it anew
    return 1
