import datetime as dt

import pytest

from miniapps.grid_events.deadlines import CITY_TIME, deadline_after


def _local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CITY_TIME)  # 2026-11-23 is a Monday


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (_local(23, 10), 4, _local(23, 14)),  # within one working day
        (_local(23, 15), 4, _local(24, 11)),  # carried over to the next morning
        (_local(23, 20), 1, _local(24, 10)),  # reported at night: the clock starts at nine
        (_local(27, 16), 3, _local(30, 11)),  # Friday afternoon into Monday
        (_local(28, 12), 8, _local(30, 17)),  # Saturday: a whole Monday
    ],
)
def test_working_hours(start: dt.datetime, hours: int, due: dt.datetime) -> None:
    assert deadline_after(start, hours, working_hours=True) == due.astimezone(dt.UTC)


def test_plain_hours_run_round_the_clock() -> None:
    start = _local(28, 12)
    assert deadline_after(start, 8, working_hours=False) == start + dt.timedelta(hours=8)
