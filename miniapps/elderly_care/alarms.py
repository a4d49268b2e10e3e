"""Alarms (一键呼叫 and home-device alerts): raised for an elder, rung by the cascade once
the cancel window closes, answered by whoever comes first, then arrived and closed with an
outcome; every step is a line of the alarm's timeline.

Who may do what: the elder raises and cancels their own SOS; anyone else who sees the elder
(their circle, care staff over their grid) answers, arrives and closes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    ROW_ID_MAX,
    UNIQUE_VIOLATION,
    Audience,
    Claims,
    Conflict,
    Forbidden,
    NotFound,
    Template,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    fetch_rows,
    notify,
    on_commit,
    person,
    placeholders,
    unit_of_work,
)
from miniapps.elderly_care.cascade import (
    Ring,
    alarm_link,
    due_at,
    encode_plan,
    plan_for,
    ring_step,
)
from miniapps.elderly_care.elders import Seen, elder_seen_by
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.rules import community_of, timing_for
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import (
    OPEN_ALARM,
    AlarmAction,
    AlarmKind,
    AlarmOutcome,
    AlarmPage,
    AlarmStatus,
    AlarmSummary,
    CloseOutcome,
    SosIn,
)

HELP_COMING = Template(
    key="elderly_care.help_coming",
    category="elderly_care",
    titles={"zh-CN": "已有人响应", "en": "Help is coming"},
    bodies={"zh-CN": "{name}已收到求助,正在赶来", "en": "{name} is on the way"},
)


# Presses that may each find an open SOS ended before they read it back.
PRESS_TRIES = 3


class Raised:
    def __init__(self, alarm_id: int, *, new: bool) -> None:
        self.id = alarm_id
        self.new = new


async def raise_sos(*, actor: Claims, elder_id: int, sos: SosIn, care: CareRuntime) -> Raised:
    """The elder's SOS; while one is open, pressing again gives that one."""
    seen = await elder_seen_by(actor, elder_id)
    if not seen.own:
        raise Forbidden(CareProblem.ELDER_ONLY)
    if (sos.latitude is None) != (sos.longitude is None):
        raise Unprocessable(CareProblem.HALF_A_LOCATION)
    timing = await timing_for(community_of(str(seen.elder["grid_path"])))
    plan = await plan_for(seen.elder, timing)
    for _ in range(PRESS_TRIES):
        try:
            alarm_id = await raise_alarm(
                care,
                seen.elder,
                kind=AlarmKind.SOS,
                plan=plan,
                window=timing.cancel_window_seconds,
                raised_by=actor.user_id,
                location=(sos.latitude, sos.longitude),
            )
        except UNIQUE_VIOLATION:
            open_one = await _open_sos(seen.id)
            if open_one is not None:
                return Raised(open_one, new=False)
            continue  # it ended between the two: press again
        return Raised(alarm_id, new=True)
    raise Conflict(CareProblem.ALARM_BUSY)


async def _open_sos(elder_id: int) -> int | None:
    among = placeholders(3, len(OPEN_ALARM))
    rows = await fetch_rows(
        "SELECT id FROM elderly_care_alarm WHERE elder_id = $1 AND kind = $2"  # noqa: S608 - placeholders only
        f" AND status IN ({among}) ORDER BY id DESC LIMIT 1",
        elder_id,
        AlarmKind.SOS.value,
        *[s.value for s in OPEN_ALARM],
    )
    return int(rows[0]["id"]) if rows else None


async def raise_alarm(
    care: CareRuntime,
    elder: Mapping[str, Any],
    *,
    kind: AlarmKind,
    plan: list[Ring],
    window: int = 0,
    raised_by: int | None = None,
    location: tuple[float | None, float | None] = (None, None),
    note: str | None = None,
) -> int:
    """Open an alarm for the elder that rings its `plan` from `window` seconds on; raises
    the unique violation while an SOS of theirs is open. Joins the caller's unit of work."""
    now = care.clock()
    start = now + dt.timedelta(seconds=window)
    encoded = encode_plan(plan)
    async with unit_of_work():
        rows = await fetch_rows(
            "INSERT INTO elderly_care_alarm (elder_id, kind, status, grid_path, raised_by,"
            " raised_at, notify_from, latitude, longitude, plan, next_step, next_step_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $7) RETURNING id",
            elder["id"],
            kind.value,
            AlarmStatus.RAISED.value,
            elder["grid_path"],
            raised_by,
            now,
            start,
            location[0],
            location[1],
            encoded,
        )
        alarm_id = int(rows[0]["id"])
        await write_entry(alarm_id, now, AlarmAction.RAISED, raised_by, note=note or kind.value)
        step = 0
        if start <= now and plan and plan[0].after == 0:
            # No window to wait out: the first ring goes with the alarm, not a job later.
            raised = {
                "id": alarm_id,
                "elder_id": elder["id"],
                "kind": kind.value,
                "grid_path": elder["grid_path"],
                "plan": encoded,
                "next_step": 0,
                "notify_from": start,
                "elder_user_id": elder["user_id"],
                "fresh": True,
            }
            step = await ring_step(care, raised)
        due = due_at(start, plan, step)

        async def next_ring() -> None:
            if due is not None:
                await care.ring_at(alarm_id, step, due)

        on_commit(next_ring)
    return alarm_id


async def alarm_seen_by(actor: Claims, alarm_id: int) -> tuple[Mapping[str, Any], Seen]:
    """The alarm, for whoever sees its elder; to anyone else it is not found."""
    rows = await fetch_rows("SELECT * FROM elderly_care_alarm WHERE id = $1", alarm_id)
    if rows:
        try:
            return rows[0], await elder_seen_by(actor, int(rows[0]["elder_id"]))
        except NotFound:
            pass
    raise NotFound(CareProblem.ALARM_NOT_FOUND)


async def cancel(*, actor: Claims, alarm_id: int, care: CareRuntime) -> None:
    """The elder calls their alarm off before anyone has answered: nothing more is rung."""
    _, seen = await alarm_seen_by(actor, alarm_id)
    if not seen.own:
        raise Forbidden(CareProblem.ELDER_ONLY)
    async with unit_of_work():
        moved = await _move(alarm_id, AlarmStatus.CANCELLED, (AlarmStatus.RAISED,), care)
        if not moved:
            await _refuse_on(alarm_id, answered=CareProblem.ALARM_ANSWERED)
        await write_entry(alarm_id, care.clock(), AlarmAction.CANCELLED, actor.user_id)


async def acknowledge(*, actor: Claims, alarm_id: int, care: CareRuntime) -> None:
    """The first answer stops the ringing and tells the elder help is coming; a later one
    changes nothing (the view shows who answered first)."""
    alarm, seen = await _helper(actor, alarm_id)
    async with unit_of_work():
        if not await _move(
            alarm_id, AlarmStatus.ACKNOWLEDGED, (AlarmStatus.RAISED,), care, by=actor.user_id
        ):
            await _refuse_on(alarm_id)
            return
        await write_entry(alarm_id, care.clock(), AlarmAction.ACKNOWLEDGED, actor.user_id)
        if alarm["kind"] != AlarmKind.CHECKIN.value:  # the elder is not waiting for anyone
            await _tell_help_coming(seen, actor, alarm_id)


async def arrive(*, actor: Claims, alarm_id: int, care: CareRuntime) -> None:
    """Someone is with the elder; arriving unannounced answers the alarm as well."""
    await _helper(actor, alarm_id)
    async with unit_of_work():
        if not await _move(
            alarm_id,
            AlarmStatus.ARRIVED,
            (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED),
            care,
            by=actor.user_id,
        ):
            await _refuse_on(alarm_id)
            return
        await write_entry(alarm_id, care.clock(), AlarmAction.ARRIVED, actor.user_id)


async def close(
    *, actor: Claims, alarm_id: int, outcome: CloseOutcome, note: str | None, care: CareRuntime
) -> None:
    await _helper(actor, alarm_id)
    async with unit_of_work():
        ended = AlarmOutcome(outcome.value)
        if not await _move(alarm_id, AlarmStatus.CLOSED, OPEN_ALARM, care, outcome=ended):
            await _refuse_on(alarm_id)
        # The outcome is the alarm's own; the line keeps the helper's words.
        await write_entry(alarm_id, care.clock(), AlarmAction.CLOSED, actor.user_id, note=note)


async def end_for_checkin(alarm_id: int, actor_id: int, care: CareRuntime) -> None:
    """A late check-in ends the day's missed check-in alarm, if it is still open."""
    await end_by_itself(alarm_id, AlarmOutcome.CHECKED_IN, actor_id, care)


async def end_by_itself(
    alarm_id: int, outcome: AlarmOutcome, actor_id: int | None, care: CareRuntime
) -> None:
    """Close the alarm, if it is still open, because what raised it has gone: the elder
    checked in late, or a quiet home shows life again."""
    if await _move(alarm_id, AlarmStatus.CLOSED, OPEN_ALARM, care, outcome=outcome):
        await write_entry(alarm_id, care.clock(), AlarmAction.CLOSED, actor_id, note=outcome)


async def _helper(actor: Claims, alarm_id: int) -> tuple[Mapping[str, Any], Seen]:
    alarm, seen = await alarm_seen_by(actor, alarm_id)
    if seen.own:
        raise Forbidden(CareProblem.ELDER_CANNOT_ANSWER)
    return alarm, seen


# What each move writes besides the status; the first to answer (or arrive) stays the one
# who answered.
_WRITES = {
    AlarmStatus.ACKNOWLEDGED: "acknowledged_by = {by}, acknowledged_at = {now}",
    AlarmStatus.ARRIVED: "acknowledged_by = COALESCE(acknowledged_by, {by}),"
    " acknowledged_at = COALESCE(acknowledged_at, {now}), arrived_at = {now}",
    AlarmStatus.CANCELLED: "closed_at = {now}",
    AlarmStatus.CLOSED: "closed_at = {now}, outcome = {outcome}",
}


async def _move(
    alarm_id: int,
    to: AlarmStatus,
    from_: tuple[AlarmStatus, ...],
    care: CareRuntime,
    *,
    by: int | None = None,
    outcome: AlarmOutcome | None = None,
) -> bool:
    """Move the alarm on if it stands in one of `from_`; ringing stops with any move."""
    given = {"by": by, "now": care.clock(), "outcome": outcome.value if outcome else None}
    used = [name for name in given if "{" + name + "}" in _WRITES[to]]
    writes = _WRITES[to].format_map({name: f"${n}" for n, name in enumerate(used, start=3)})
    among = placeholders(3 + len(used), len(from_))
    rows = await fetch_rows(
        f"UPDATE elderly_care_alarm SET status = $2, next_step_at = NULL, {writes}"  # noqa: S608 - our own clauses
        f" WHERE id = $1 AND status IN ({among}) RETURNING id",
        alarm_id,
        to.value,
        *[given[name] for name in used],
        *[s.value for s in from_],
    )
    return bool(rows)


async def _refuse_on(alarm_id: int, *, answered: CareProblem | None = None) -> None:
    """Why a move did not take: an ended alarm is a conflict; an answered one is one only
    when `answered` says so, else the move was done already and is let be."""
    rows = await fetch_rows("SELECT status FROM elderly_care_alarm WHERE id = $1", alarm_id)
    status = AlarmStatus(str(rows[0]["status"]))
    if status in (AlarmStatus.CANCELLED, AlarmStatus.CLOSED):
        raise Conflict(CareProblem.ALARM_ENDED)
    if answered is not None:
        raise Conflict(answered)


async def _tell_help_coming(seen: Seen, actor: Claims, alarm_id: int) -> None:
    helper = await person(actor.user_id)
    await notify(
        audience=Audience.users(int(seen.elder["user_id"])),
        template=HELP_COMING,
        data={"name": helper.name if helper else ""},
        source="elderly_care",
        urgent=True,
        deep_link=alarm_link(alarm_id),
    )


async def write_entry(
    alarm_id: int,
    at: dt.datetime,
    action: AlarmAction,
    actor_id: int | None,
    *,
    whom: str | None = None,
    note: str | None = None,
) -> None:
    """A line of the alarm's timeline."""
    await fetch_rows(
        "INSERT INTO elderly_care_alarm_entry (alarm_id, at, action, actor_id, whom, note)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        alarm_id,
        at,
        action.value,
        actor_id,
        whom,
        note,
    )


async def alarms_of(
    seen: Seen,
    *,
    cursor: str | None,
    limit: int,
    kind: AlarmKind | None = None,
    only_open: bool = False,
) -> AlarmPage:
    """The elder's alarms, newest first: of one kind only, or open ones only, if asked."""
    before = decode_cursor(cursor) if cursor else None
    args: list[Any] = [seen.id, before or ROW_ID_MAX, limit + 1]
    where = "elder_id = $1 AND id < $2"
    if kind is not None:
        args.append(kind.value)
        where += f" AND kind = ${len(args)}"
    if only_open:
        where += f" AND status IN ({placeholders(len(args) + 1, len(OPEN_ALARM))})"
        args += [status.value for status in OPEN_ALARM]
    rows = await fetch_rows(
        "SELECT id, kind, status, raised_at, outcome FROM elderly_care_alarm"  # noqa: S608 - placeholders only
        f" WHERE {where} ORDER BY id DESC LIMIT $3",
        *args,
    )
    items = [
        AlarmSummary(
            id=int(r["id"]),
            kind=AlarmKind(str(r["kind"])),
            status=AlarmStatus(str(r["status"])),
            raised_at=r["raised_at"],
            outcome=AlarmOutcome(str(r["outcome"])) if r["outcome"] else None,
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return AlarmPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)
