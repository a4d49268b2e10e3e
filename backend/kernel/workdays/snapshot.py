"""This process's copy of the working-day calendar.

A deadline is computed on many requests and in every deadline sweep, so each process reads
the table into a `WorkCalendar` once and keeps it. The copy is dropped when this process
loads a year, and read again when it is a minute old, so that a year loaded by another
process counts here within a minute. That is soon enough: a notice comes weeks before the
year it sets, and what must follow a load at once (a provisional deadline) listens to
`calendar.year_loaded` and asks for `work_calendar(fresh=True)`.

One copy per process rather than a service on `Services`: the calendar is the same for
every app and job of a process, and a deadline is computed deep inside service functions
that see no `Services`. It is keyed by the database engine, so an app bound to another
database (as some tests do) never reads another database's calendar."""

from __future__ import annotations

import time

from piccolo.engine.base import Engine

from backend.kernel.db import current_engine
from backend.kernel.workdays.calendar import WorkCalendar
from backend.kernel.workdays.tables import WorkCalendarDay

RELOAD_AFTER = 60.0  # seconds


class _Copy:
    def __init__(self) -> None:
        self.calendar: WorkCalendar | None = None
        self.engine: Engine | None = None
        self.read_at = 0.0
        self.reading = False
        self.generation = 0  # moved on by every forget, so a read begun before is not kept


_copy = _Copy()


async def work_calendar(*, fresh: bool = False) -> WorkCalendar:
    """The working-day calendar, as this process read it within the last minute.

    `fresh` reads the table now: for a handler of `calendar.year_loaded`, which may run in
    a process whose copy is older than the load."""
    engine = current_engine()
    copy = _copy
    held = copy.calendar
    # While one request reads the table again, the others keep counting on the old copy
    # instead of all reading 8,000 rows at once.
    current = copy.reading or time.monotonic() - copy.read_at < RELOAD_AFTER
    if held is not None and copy.engine is engine and current and not fresh:
        return held
    generation = copy.generation
    copy.reading = True
    try:
        calendar = await read_calendar()
    finally:
        copy.reading = False
    if generation == copy.generation:
        copy.calendar, copy.engine, copy.read_at = calendar, engine, time.monotonic()
    return calendar


def forget_work_calendar() -> None:
    """Drop this process's copy: the next `work_calendar()` reads the table."""
    _copy.generation += 1
    _copy.calendar = None


async def read_calendar() -> WorkCalendar:
    """Every stored day, read now."""
    rows = await WorkCalendarDay.select(
        WorkCalendarDay.date, WorkCalendarDay.is_workday, WorkCalendarDay.year_confirmed
    )
    return WorkCalendar((r["date"], r["is_workday"], r["year_confirmed"]) for r in rows)
