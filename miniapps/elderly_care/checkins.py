"""Daily safety check-in (平安打卡): the elder taps once a day within their window. A day
missed, `grace_minutes` after the window, raises a check-in alarm: a reminder to the elder,
then the contacts in order, then a grid event for the grid's worker, `step_minutes` apart.
A check-in at any point of it ends it.

Days are the city's local days. One row per elder and day, written by whichever comes
first, the check-in or the sweep; so two sweeps raise one alarm, and a check-in racing the
sweep either prevents the alarm or ends it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from backend.sdk import (
    ROW_ID_MAX,
    Claims,
    Forbidden,
    Role,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    fetch_rows,
    people,
    unit_of_work,
)
from miniapps.elderly_care.alarms import end_for_checkin, raise_alarm
from miniapps.elderly_care.cascade import Ring
from miniapps.elderly_care.contacts import ringing_order
from miniapps.elderly_care.elders import Seen, in_circle
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.rules import community_of
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import (
    AlarmKind,
    CheckinHistory,
    CheckinPlanIn,
    CheckinPlanView,
    CheckinView,
    RingStage,
    Worker,
)

CITY_TIME = ZoneInfo("Asia/Shanghai")
SWEEP_BATCH = 500
STREAK_MOST = 366
DAY_MINUTES = 24 * 60  # a year in a row is as far as a streak is counted


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _bits(days: list[int]) -> int:
    return sum(1 << (day - 1) for day in days)


def plan_view(elder_id: int, row: Mapping[str, Any]) -> CheckinPlanView:
    return CheckinPlanView(
        elder_id=elder_id,
        starts=_clock(int(row["starts"])),
        ends=_clock(int(row["ends"])),
        days=[day for day in range(1, 8) if int(row["days"]) & (1 << (day - 1))],
        grace_minutes=int(row["grace_minutes"]),
        step_minutes=int(row["step_minutes"]),
    )


async def plan_of(elder_id: int) -> Mapping[str, Any] | None:
    rows = await fetch_rows("SELECT * FROM elderly_care_checkin_plan WHERE elder_id = $1", elder_id)
    return rows[0] if rows else None


async def set_plan(
    *, actor: Claims, seen: Seen, plan: CheckinPlanIn, care: CareRuntime
) -> CheckinPlanView:
    """The elder, or care staff over their grid, set when they check in."""
    if not (seen.own or seen.staff):
        raise Forbidden(CareProblem.CARE_STAFF_ONLY)
    starts, ends = _minutes(plan.starts), _minutes(plan.ends)
    if ends <= starts:
        raise Unprocessable(CareProblem.WINDOW_BACKWARDS)
    if len(set(plan.days)) != len(plan.days):
        raise Unprocessable(CareProblem.DAY_TWICE)
    if ends + plan.grace_minutes >= DAY_MINUTES:
        raise Unprocessable(CareProblem.GRACE_PAST_MIDNIGHT)
    local = care.clock().astimezone(CITY_TIME)
    today = local.date()
    closed = local.hour * 60 + local.minute >= ends + plan.grace_minutes
    effective_from = today + dt.timedelta(days=1) if closed else today
    await fetch_rows(
        "INSERT INTO elderly_care_checkin_plan (elder_id, starts, ends, days, grace_minutes,"
        " step_minutes, set_by, set_at, effective_from)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (elder_id) DO UPDATE SET starts = excluded.starts, ends = excluded.ends,"
        " days = excluded.days, grace_minutes = excluded.grace_minutes,"
        " step_minutes = excluded.step_minutes, set_by = excluded.set_by,"
        " set_at = excluded.set_at, effective_from = excluded.effective_from",
        seen.id,
        starts,
        ends,
        _bits(plan.days),
        plan.grace_minutes,
        plan.step_minutes,
        actor.user_id,
        care.clock(),
        effective_from,
    )
    found = await plan_of(seen.id)
    assert found is not None
    return plan_view(seen.id, found)


async def check_in(*, actor: Claims, seen: Seen, care: CareRuntime) -> dt.date:
    """The elder checks in, or a member of their circle for them (marked so); a second one
    the same day changes nothing. Open from the window's start to the end of the day, so
    a late check-in still ends the day's alarm."""
    if not seen.own and not await in_circle(seen.id, actor.user_id):
        raise Forbidden(CareProblem.ELDER_OR_FAMILY)
    plan = await plan_of(seen.id)
    if plan is None:
        raise Unprocessable(CareProblem.NO_CHECKIN_PLAN)
    now = care.clock()
    local = now.astimezone(CITY_TIME)
    minute = local.hour * 60 + local.minute
    day = local.date()
    planned = int(plan["days"]) & (1 << (local.isoweekday() - 1))
    # A day already written (missed, or checked in) stays open whatever the plan says now:
    # a plan changed after the miss must not keep its alarm ringing.
    if (not planned or minute < int(plan["starts"])) and not await _day_written(seen.id, day):
        raise Unprocessable(CareProblem.CHECKIN_OUTSIDE_WINDOW)
    async with unit_of_work():
        rows = await fetch_rows(
            "INSERT INTO elderly_care_checkin_day (elder_id, day, checked_in_at, checked_in_by,"
            " on_behalf) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (elder_id, day) DO UPDATE SET"
            " checked_in_at = COALESCE(elderly_care_checkin_day.checked_in_at,"
            " excluded.checked_in_at),"
            " checked_in_by = COALESCE(elderly_care_checkin_day.checked_in_by,"
            " excluded.checked_in_by),"
            " on_behalf = CASE WHEN elderly_care_checkin_day.checked_in_at IS NULL"
            " THEN excluded.on_behalf ELSE elderly_care_checkin_day.on_behalf END"
            " RETURNING missed_alarm_id",
            seen.id,
            day,
            now,
            actor.user_id,
            not seen.own,
        )
        missed = rows[0]["missed_alarm_id"]
        if missed is not None:
            await end_for_checkin(int(missed), actor.user_id, care)
    return day


async def _day_written(elder_id: int, day: dt.date) -> bool:
    rows = await fetch_rows(
        "SELECT 1 FROM elderly_care_checkin_day WHERE elder_id = $1 AND day = $2", elder_id, day
    )
    return bool(rows)


async def raise_missed(care: CareRuntime) -> int:
    """The sweep: every elder whose window, and its grace, has passed with no check-in
    gets a check-in alarm; how many were raised. Yesterday is looked at too, so that a
    sweep that did not run before midnight loses no day."""
    local = care.clock().astimezone(CITY_TIME)
    today = local.date()
    raised = 0
    for day, minute in (
        (today - dt.timedelta(days=1), DAY_MINUTES),
        (today, local.hour * 60 + local.minute),
    ):
        rows = await fetch_rows(
            "SELECT e.*, p.step_minutes FROM elderly_care_checkin_plan p"
            " JOIN elderly_care_elder e ON e.id = p.elder_id"
            " LEFT JOIN elderly_care_checkin_day d ON d.elder_id = p.elder_id AND d.day = $1"
            " WHERE d.id IS NULL AND (p.days & $2) <> 0 AND p.ends + p.grace_minutes <= $3"
            " AND (p.effective_from IS NULL OR p.effective_from <= $1)"
            " ORDER BY p.elder_id LIMIT $4",
            day,
            1 << (day.isoweekday() - 1),
            minute,
            SWEEP_BATCH,
        )
        for elder in rows:
            raised += await _raise_missed(care, elder, day)
    return raised


async def _raise_missed(care: CareRuntime, elder: Mapping[str, Any], day: dt.date) -> int:
    plan = await missed_plan(elder)
    async with unit_of_work():
        claimed = await fetch_rows(
            "INSERT INTO elderly_care_checkin_day (elder_id, day) VALUES ($1, $2)"
            " ON CONFLICT (elder_id, day) DO NOTHING RETURNING id",
            elder["id"],
            day,
        )
        if not claimed:
            return 0  # checked in meanwhile, or another sweep took it
        alarm_id = await raise_alarm(care, elder, kind=AlarmKind.CHECKIN, plan=plan)
        await fetch_rows(
            "UPDATE elderly_care_checkin_day SET missed_alarm_id = $2 WHERE id = $1",
            claimed[0]["id"],
            alarm_id,
        )
    return 1


async def missed_plan(elder: Mapping[str, Any]) -> list[Ring]:
    """A reminder to the elder at once, then each contact, then the grid's worker."""
    step = int(elder["step_minutes"]) * 60
    rings = [Ring(after=0, stage=RingStage.REMINDER, user_id=int(elder["user_id"]))]
    rings += [
        Ring(after=n * step, stage=RingStage.CONTACT, user_id=member)
        for n, member in enumerate(await ringing_order(int(elder["id"])), start=1)
    ]
    grid = str(elder["grid_path"])
    rings.append(Ring(after=len(rings) * step, stage=RingStage.GRID_EVENT, path=grid))
    # Then the community's service centre and the district, as for an SOS: the cascade does
    # not hang on a grid event that may find no handler, or no grid events installed.
    centre = community_of(grid) or grid
    rings.append(
        Ring(
            after=len(rings) * step, stage=RingStage.CENTRE, role=Role.COMMUNITY_ADMIN, path=centre
        )
    )
    rings.append(
        Ring(
            after=len(rings) * step, stage=RingStage.ESCALATION, role=Role.DISTRICT_ADMIN, path=grid
        )
    )
    return rings


async def history(
    seen: Seen, *, cursor: str | None, limit: int, care: CareRuntime
) -> CheckinHistory:
    """The elder's days, newest first (a cursor names a day), with their streak."""
    before = decode_cursor(cursor) if cursor else ROW_ID_MAX
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_checkin_day WHERE elder_id = $1 AND day < $2"
        " ORDER BY day DESC LIMIT $3",
        seen.id,
        dt.date.fromordinal(min(before, dt.date.max.toordinal())),
        limit + 1,
    )
    items = await _views(rows[:limit])
    more = len(rows) > limit
    return CheckinHistory(
        streak=await streak(seen.id, care),
        items=items,
        next_cursor=encode_cursor(items[-1].day.toordinal()) if more else None,
    )


async def day_view(elder_id: int, day: dt.date) -> CheckinView:
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_checkin_day WHERE elder_id = $1 AND day = $2", elder_id, day
    )
    return (await _views(rows))[0]


async def _views(rows: Sequence[Mapping[str, Any]]) -> list[CheckinView]:
    by = {int(r["checked_in_by"]) for r in rows if r["checked_in_by"]}
    names = {user_id: p.name for user_id, p in (await people(by)).items()}
    return [
        CheckinView(
            day=r["day"],
            checked_in_at=r["checked_in_at"],
            checked_in_by=(
                Worker(id=int(r["checked_in_by"]), name=names.get(int(r["checked_in_by"]), ""))
                if r["checked_in_by"]
                else None
            ),
            on_behalf=bool(r["on_behalf"]),
            missed_alarm_id=r["missed_alarm_id"],
        )
        for r in rows
    ]


async def streak(elder_id: int, care: CareRuntime) -> int:
    """Days in a row checked in, counting only the days the plan asks for; today counts
    once checked in, and breaks nothing while it is still open."""
    plan = await plan_of(elder_id)
    if plan is None:
        return 0
    rows = await fetch_rows(
        "SELECT day FROM elderly_care_checkin_day WHERE elder_id = $1"
        " AND checked_in_at IS NOT NULL ORDER BY day DESC LIMIT $2",
        elder_id,
        STREAK_MOST,
    )
    done = {r["day"] for r in rows}
    day = care.clock().astimezone(CITY_TIME).date()
    if day not in done:
        day -= dt.timedelta(days=1)
    count = 0
    while done and day >= min(done) and count < STREAK_MOST:
        if int(plan["days"]) & (1 << (day.isoweekday() - 1)):
            if day not in done:
                break
            count += 1
        day -= dt.timedelta(days=1)
    return count
