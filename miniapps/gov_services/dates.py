"""Days as residents and offices count them: Asia/Shanghai dates, and the instant a time limit
that ends on a day runs out (its `due_at`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CITY_TIME = ZoneInfo("Asia/Shanghai")
ONE_DAY = dt.timedelta(days=1)


def city_date(instant: dt.datetime) -> dt.date:
    """The day it is in the city at `instant`."""
    return instant.astimezone(CITY_TIME).date()


def overdue_from(last_day: dt.date) -> dt.datetime:
    """When a limit whose last day is `last_day` runs out: 00:00 in the city the day after,
    so the whole last day is still in time."""
    return dt.datetime.combine(last_day + ONE_DAY, dt.time(), CITY_TIME).astimezone(dt.UTC)


def last_day(due_at: dt.datetime) -> dt.date:
    """The last day in time of a limit that runs out at `due_at` (`overdue_from`'s inverse)."""
    return city_date(due_at - dt.timedelta(microseconds=1))
