"""Working hours run 9:00 to 17:00 in the city's time on the host calendar's working days:
a deadline pauses over nights, weekends and public holidays and resumes after them."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.kernel.workdays import WorkCalendar, forget_work_calendar, work_calendar
from miniapps.legal_aid.hours import CITY_TIME, add_working_hours


def _city(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CITY_TIME)


@pytest.fixture
async def calendar() -> WorkCalendar:
    forget_work_calendar()
    return await work_calendar()


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (_city(2026, 12, 2, 10), 4, _city(2026, 12, 2, 14)),  # a Wednesday morning
        (_city(2026, 12, 2, 15), 4, _city(2026, 12, 3, 11)),  # overnight
        (_city(2026, 12, 2, 7, 30), 1, _city(2026, 12, 2, 10)),  # before the office opens
        (_city(2026, 12, 4, 16), 4, _city(2026, 12, 7, 12)),  # Friday to Monday
        (_city(2026, 12, 5, 11), 4, _city(2026, 12, 7, 13)),  # asked on a Saturday
        # 国庆: 10-01…07 off, so Wednesday 09-30's question resumes on Thursday 10-08.
        (_city(2026, 9, 30, 15), 4, _city(2026, 10, 8, 11)),
        # Saturday 10-10 is worked for the holiday (补班), Sunday 10-11 is not.
        (_city(2026, 10, 9, 16), 4, _city(2026, 10, 10, 12)),
        (_city(2026, 10, 10, 16), 4, _city(2026, 10, 12, 12)),
        (_city(2026, 12, 2, 17), 8, _city(2026, 12, 3, 17)),  # a whole working day
    ],
)
def test_a_deadline_counts_working_hours_only(
    calendar: WorkCalendar, start: dt.datetime, hours: int, due: dt.datetime
) -> None:
    assert add_working_hours(calendar, start, hours) == due.astimezone(dt.UTC)
