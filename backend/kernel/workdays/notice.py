"""A year of the calendar as the State Council's notice sets it (国务院办公厅关于…部分节假日
安排的通知): its holidays and its working weekends (补班); every other day follows the
weekday rule. Checked, stored over the year's old days, and read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec

from backend.kernel.codes import KernelCode
from backend.kernel.db import is_postgres
from backend.kernel.errors import FieldError, Unprocessable
from backend.kernel.events import on_commit
from backend.kernel.workdays.calendar import ONE_DAY
from backend.kernel.workdays.snapshot import forget_work_calendar
from backend.kernel.workdays.tables import WorkCalendarDay

# The years the calendar takes a notice for: the seed's and those to come.
FIRST_YEAR, LAST_YEAR = 2000, 2099

CALENDAR_YEAR_LOADED = "calendar.year_loaded"


class CalendarYearLoaded(msgspec.Struct, frozen=True):
    """A year's notice was loaded: deadlines counted provisionally in it may be recomputed."""

    year: int


class CalendarDay(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A day the notice names: a holiday (not a working day) or a 补班 day (a working one)."""

    date: dt.date
    is_workday: Annotated[
        bool, msgspec.Meta(description="False for a holiday, true for a working weekend (补班).")
    ]
    name: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=50,
            pattern=r"\S",
            description="The holiday, e.g. 国庆节; for a 补班 day, the holiday it makes up for.",
        ),
    ]


class YearNotice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The State Council's notice for one year: every holiday and 补班 day it lists."""

    source: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=200,
            pattern=r"\S",
            description="The notice, e.g. 国办发明电〔2025〕7号.",
        ),
    ]
    days: Annotated[list[CalendarDay], msgspec.Meta(min_length=1, max_length=366)]


class CalendarYear(msgspec.Struct, frozen=True):
    """One year of the calendar: the days that are not as the weekday rule has them, or
    that belong to a holiday, and whether the year's notice is loaded. A year that is not
    counts Monday to Friday, provisionally."""

    year: int
    confirmed: Annotated[
        bool,
        msgspec.Meta(
            description="Whether the year's notice is loaded; if not, Monday to Friday count, "
            "provisionally."
        ),
    ]
    source: Annotated[
        str | None, msgspec.Meta(description="Where the year's days come from; null if none do.")
    ]
    days: Annotated[
        list[CalendarDay],
        msgspec.Meta(
            description="The holidays and 补班 days, by date; any other day follows "
            "the weekday rule."
        ),
    ]


def notice_problems(year: int, days: Sequence[CalendarDay]) -> list[FieldError]:
    """Every fault of a notice's days, each naming its place in the body.

    A day outside `year`, or named twice, is refused. So is a working day on Monday to
    Friday: a notice only ever moves work onto a Saturday or Sunday, so such an entry is a
    wrong date, and storing it would hide the mistake. A holiday on a weekend is taken: it
    changes no count, but the notice counts it among the holiday's days (国庆节 runs 1–7
    October over a weekend), and the calendar shows it by that name."""
    problems: list[FieldError] = []
    seen: dict[dt.date, int] = {}
    for i, day in enumerate(days):
        if day.date.year != year:
            problems.append(FieldError(field=f"days[{i}].date", message=f"not in {year}"))
        if day.date in seen:
            twice = f"the same date as days[{seen[day.date]}]"
            problems.append(FieldError(field=f"days[{i}].date", message=twice))
        seen.setdefault(day.date, i)
        if day.is_workday and day.date.weekday() < 5:
            problems.append(
                FieldError(
                    field=f"days[{i}].is_workday",
                    message="Monday to Friday are working days anyway; 补班 falls on a weekend",
                )
            )
    return problems


async def replace_year(*, year: int, notice: YearNotice) -> None:
    """Store every day of `year` as the notice has it, over the year's old days, inside the
    caller's unit of work; a faulty notice is a 422 listing every fault, and changes
    nothing. This process counts on the new year once the unit of work commits."""
    problems = notice_problems(year, notice.days)
    if problems:
        raise Unprocessable(KernelCode.CALENDAR_NOTICE_INVALID, errors=problems)
    if is_postgres():
        # Two loads of one year at once would each delete the old days and insert new ones,
        # and the second insert would break the unique date. Readers are not held up.
        await WorkCalendarDay.raw("LOCK TABLE work_calendar IN SHARE ROW EXCLUSIVE MODE")
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    await WorkCalendarDay.delete().where(
        (WorkCalendarDay.date >= first) & (WorkCalendarDay.date <= last)
    )
    await WorkCalendarDay.insert(*_days_of(year, notice))
    on_commit(_forget_copy)


def _days_of(year: int, notice: YearNotice) -> list[WorkCalendarDay]:
    named = {day.date: day for day in notice.days}
    rows = []
    date = dt.date(year, 1, 1)
    while date.year == year:
        day = named.get(date)
        rows.append(
            WorkCalendarDay(
                date=date,
                is_workday=day.is_workday if day else date.weekday() < 5,
                name=day.name if day else "",
                source=notice.source,
                year_confirmed=True,
            )
        )
        date += ONE_DAY
    return rows


async def _forget_copy() -> None:
    forget_work_calendar()


async def calendar_year(year: int) -> CalendarYear:
    """`year` as stored: its named and moved days, its source, and whether it is loaded."""
    rows = (
        await WorkCalendarDay.select(
            WorkCalendarDay.date,
            WorkCalendarDay.is_workday,
            WorkCalendarDay.name,
            WorkCalendarDay.source,
            WorkCalendarDay.year_confirmed,
        )
        .where(
            (WorkCalendarDay.date >= dt.date(year, 1, 1))
            & (WorkCalendarDay.date <= dt.date(year, 12, 31))
        )
        .order_by(WorkCalendarDay.date)
    )
    return CalendarYear(
        year=year,
        confirmed=bool(rows) and all(r["year_confirmed"] for r in rows),
        source=rows[0]["source"] if rows else None,
        days=[_day(r) for r in rows if r["name"] or r["is_workday"] != _by_weekday(r)],
    )


def _by_weekday(row: dict[str, Any]) -> bool:
    date: dt.date = row["date"]
    return date.weekday() < 5


def _day(row: dict[str, Any]) -> CalendarDay:
    return CalendarDay(date=row["date"], is_workday=row["is_workday"], name=row["name"])
