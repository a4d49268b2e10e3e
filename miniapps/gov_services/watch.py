"""The deadline watch: every five minutes, a case whose clock runs is found due soon (two
working days or fewer left on the host calendar) or overdue, and the officers of the org
handling it are told; an overdue case is also taken to the org above for supervision (督办).

Each threshold of a case is told once, and each case escalated once per level, however often
the watch runs and on however many workers (arq's cron `unique` still lets two run at once):
the mark's row is inserted, or skipped where it is already there, in the transaction that
emits the notice. A case in 补正 stands still, so it is neither due soon nor overdue."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any, NamedTuple, TypeVar

from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from backend.sdk import WorkCalendar, ancestors, unit_of_work, utc_now, work_calendar
from miniapps.gov_services import watch_notices
from miniapps.gov_services.dates import city_date, overdue_from
from miniapps.gov_services.states import CLOCK_RUNS
from miniapps.gov_services.tables import Application, DeadlineNotice, Escalation

DUE_SOON_WORKING_DAYS = 2
# Cases weighed in one run, nearest deadline first; the rest wait five minutes. A first run
# over a backlog then ends well within the cron's time limit instead of being cut off.
BATCH = 500

Case = dict[str, Any]
Mark = TypeVar("Mark", bound=Table)
CASE_COLUMNS: tuple[Column, ...] = (
    Application.id,
    Application.ref_no,
    Application.assignee_org,
    Application.due_at,
)


class Threshold(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class Watched(NamedTuple):
    """What one run of the watch told: cases newly due soon, newly overdue, escalated."""

    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0


class _Marks(NamedTuple):
    noticed: set[tuple[int, str]]  # (application, threshold)
    escalated: set[tuple[int, str]]  # (application, level)


def escalation_level(org: str) -> str | None:
    """Where a case overdue at `org` goes for supervision: the org above; none above the city."""
    chain = ancestors(org)
    return chain[-2] if len(chain) > 1 else None


def due_soon_by(calendar: WorkCalendar, now: dt.datetime) -> dt.datetime:
    """Cases whose `due_at` is at or before this instant are due soon (overdue once it has
    passed): their last day in time is today or one of the next two working days."""
    return overdue_from(calendar.add_working_days(city_date(now), DUE_SOON_WORKING_DAYS).date)


async def watch_deadlines(*, now: dt.datetime | None = None) -> Watched:
    """Cron: tell and escalate what has come due since the last run; returns what it did.

    Due soon: the last day in time is today or one of the next two working days, counted on
    the host calendar as a time limit is (from the day after), so a case due after 国庆 is
    due soon the week before. Overdue: past 00:00 in the city after its last day."""
    now = now or utc_now()
    calendar = await work_calendar()
    running = _running(due_by=due_soon_by(calendar, now))
    cases = await Application.select(*CASE_COLUMNS).where(running).order_by(Application.due_at)
    marks = await _marks_of(running)
    todo = [case for case in cases if _owed(case, now, marks)][:BATCH]
    totals = [0, 0, 0]
    for case in todo:
        for i, done in enumerate(await _mark(case, now, marks)):
            totals[i] += done
    return Watched(*totals)


def _running(*, due_by: dt.datetime) -> Any:
    """Cases whose clock runs and whose deadline falls by `due_by`: paused (补正), waiting,
    unaccepted and closed cases are not watched."""
    return Application.status.is_in(sorted(CLOCK_RUNS)) & (Application.due_at <= due_by)


async def _marks_of(running: Any) -> _Marks:
    """The notices and escalations the running cases already have."""
    ids = Application.select(Application.id).where(running)
    notices = await DeadlineNotice.select(
        DeadlineNotice.application_id, DeadlineNotice.threshold
    ).where(DeadlineNotice.application_id.is_in(ids))
    escalations = await Escalation.select(Escalation.application_id, Escalation.level).where(
        Escalation.application_id.is_in(ids)
    )
    return _Marks(
        noticed={(r["application_id"], r["threshold"]) for r in notices},
        escalated={(r["application_id"], r["level"]) for r in escalations},
    )


def _threshold(case: Case, now: dt.datetime) -> Threshold:
    return Threshold.OVERDUE if case["due_at"] <= now else Threshold.DUE_SOON


def _owed(case: Case, now: dt.datetime, marks: _Marks) -> bool:
    """Whether the case has a notice or an escalation coming."""
    threshold = _threshold(case, now)
    if (case["id"], threshold) not in marks.noticed:
        return True
    level = escalation_level(case["assignee_org"])
    return (
        threshold is Threshold.OVERDUE
        and level is not None
        and (case["id"], level) not in marks.escalated
    )


async def _mark(case: Case, now: dt.datetime, marks: _Marks) -> tuple[int, int, int]:
    """Tell and escalate one case in one transaction; (due soon, overdue, escalated) told."""
    threshold = _threshold(case, now)
    level = escalation_level(case["assignee_org"]) if threshold is Threshold.OVERDUE else None
    async with unit_of_work():
        if not await _still_as_read(case):
            return 0, 0, 0  # it moved since the watch read it: the next run weighs it anew
        told = (case["id"], threshold) not in marks.noticed and await _notice(case, threshold)
        escalated = (
            level is not None
            and (case["id"], level) not in marks.escalated
            and await _escalate(case, level)
        )
    return (
        int(told and threshold is Threshold.DUE_SOON),
        int(told and threshold is Threshold.OVERDUE),
        int(escalated),
    )


async def _still_as_read(case: Case) -> bool:
    """Whether the case still runs at the org and deadline the watch read, held so until
    the notice commits: on PostgreSQL a shared row lock makes a staff move of the case (its
    delivery, an extension) wait for the notice, or the notice for the move, so nobody is
    told of a deadline that no longer stands. SQLite's write transaction is exclusive."""
    query = Application.select(Application.id).where(
        (Application.id == case["id"])
        & Application.status.is_in(sorted(CLOCK_RUNS))
        & (Application.assignee_org == case["assignee_org"])
        & (Application.due_at == case["due_at"])
    )
    if isinstance(Application._meta.db, PostgresEngine):
        query = query.lock_rows("SHARE")
    return bool(await query)


async def _notice(case: Case, threshold: Threshold) -> bool:
    """Record the threshold and tell the org, unless another run already did."""
    inserted = await _insert_once(
        DeadlineNotice(
            application_id=case["id"],
            threshold=threshold,
            org=case["assignee_org"],
            due_at=case["due_at"],
        ),
        DeadlineNotice.id,
    )
    if inserted:
        await watch_notices.tell_org(case, overdue=threshold is Threshold.OVERDUE)
    return inserted


async def _escalate(case: Case, level: str) -> bool:
    """Record the escalation to `level` and tell its officers, unless another run already did."""
    inserted = await _insert_once(
        Escalation(
            application_id=case["id"],
            level=level,
            from_org=case["assignee_org"],
            due_at=case["due_at"],
        ),
        Escalation.id,
    )
    if inserted:
        await watch_notices.tell_supervisors(case, level=level)
    return inserted


async def _insert_once(row: Mark, key: Column) -> bool:
    """Insert `row` unless its unique key is taken; whether it was. On PostgreSQL a second
    worker inserting the same key waits for the first to commit, then skips."""
    inserted: Iterable[Any] = (
        await type(row).insert(row).on_conflict(action="DO NOTHING").returning(key)
    )
    return bool(list(inserted))
