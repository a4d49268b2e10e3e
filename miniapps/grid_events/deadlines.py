"""Step deadlines: plain hours, or office hours (09:00–17:00 in the city's time zone on the
working days of the host's calendar: no holidays, and the Saturdays of 补班) where the
category says so."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from backend.sdk import WorkCalendar, work_calendar

CITY_TIME = ZoneInfo("Asia/Shanghai")
OPENS, CLOSES = dt.time(9), dt.time(17)


async def deadline_after(start: dt.datetime, hours: float, *, working_hours: bool) -> dt.datetime:
    """When a step begun at `start` is overdue."""
    if not working_hours:
        return start + dt.timedelta(hours=hours)
    return office_hours_after(start, hours, await work_calendar())


def office_hours_after(start: dt.datetime, hours: float, calendar: WorkCalendar) -> dt.datetime:
    """The moment `hours` of office hours after `start` have passed."""
    left = dt.timedelta(hours=hours)
    moment = start.astimezone(CITY_TIME)
    while True:
        moment = _next_open(moment, calendar)
        closing = moment.replace(hour=CLOSES.hour, minute=0, second=0, microsecond=0)
        if moment + left <= closing:
            return (moment + left).astimezone(dt.UTC)
        left -= closing - moment
        moment = closing


def _next_open(moment: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """`moment` if the office is open then, else when it next opens."""
    while True:
        opening = moment.replace(hour=OPENS.hour, minute=0, second=0, microsecond=0)
        closing = moment.replace(hour=CLOSES.hour, minute=0, second=0, microsecond=0)
        if calendar.is_workday(moment.date()):
            if opening <= moment < closing:
                return moment
            if moment < opening:
                return opening
        moment = opening + dt.timedelta(days=1)
