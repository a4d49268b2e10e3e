"""Working hours (工作时间): 9:00 to 17:00 in the city's time on the working days of the
host's calendar, so a question asked on a Friday evening or before a holiday waits for the
office to open before its clock runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from backend.sdk import WorkCalendar

CITY_TIME = ZoneInfo("Asia/Shanghai")
OPENS, CLOSES = dt.time(9), dt.time(17)
ONE_DAY = dt.timedelta(days=1)


def add_working_hours(calendar: WorkCalendar, start: dt.datetime, hours: int) -> dt.datetime:
    """The moment `hours` working hours after `start` (aware), in UTC."""
    left = dt.timedelta(hours=hours)
    at = _next_open(calendar, start.astimezone(CITY_TIME))
    while True:
        closes = at.replace(hour=CLOSES.hour, minute=0, second=0, microsecond=0)
        if at + left <= closes:
            return (at + left).astimezone(dt.UTC)
        left -= closes - at
        at = _next_open(calendar, closes.replace(hour=OPENS.hour) + ONE_DAY)


def _next_open(calendar: WorkCalendar, at: dt.datetime) -> dt.datetime:
    """`at` if the office is open then, else when it next opens."""
    while True:
        opens = at.replace(hour=OPENS.hour, minute=0, second=0, microsecond=0)
        closes = at.replace(hour=CLOSES.hour, minute=0, second=0, microsecond=0)
        if calendar.is_workday(at.date()) and at < closes:
            return max(at, opens)
        at = opens + ONE_DAY
