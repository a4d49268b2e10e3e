"""The working-day calendar (工作日历): which days offices work, from the State Council's
yearly notice, and time limits counted in working days on it."""

from backend.kernel.workdays.calendar import Due, WorkCalendar, WorkingDays
from backend.kernel.workdays.notice import (
    CALENDAR_YEAR_LOADED,
    CalendarDay,
    CalendarYear,
    CalendarYearLoaded,
    YearNotice,
    calendar_year,
    replace_year,
)
from backend.kernel.workdays.snapshot import forget_work_calendar, work_calendar

__all__ = [
    "CALENDAR_YEAR_LOADED",
    "CalendarDay",
    "CalendarYear",
    "CalendarYearLoaded",
    "Due",
    "WorkCalendar",
    "WorkingDays",
    "YearNotice",
    "calendar_year",
    "forget_work_calendar",
    "replace_year",
    "work_calendar",
]
