"""Loading a year of the working-day calendar from the State Council's notice."""

from __future__ import annotations

from collections.abc import Sequence

from backend.directory.users.service import audit
from backend.kernel.claims import Claims
from backend.kernel.events import emit, unit_of_work
from backend.kernel.workdays import (
    CALENDAR_YEAR_LOADED,
    CalendarDay,
    CalendarYear,
    CalendarYearLoaded,
    YearNotice,
    calendar_year,
    replace_year,
)


async def load_year(
    *, year: int, days: Sequence[CalendarDay], source: str, by: Claims
) -> CalendarYear:
    """Make `year` what the notice says: its holidays and 补班 days as listed, every other
    day by the weekday rule, confirmed. The days, an audit row and `calendar.year_loaded`
    (for deadlines counted provisionally in the year) are written together or not at all;
    a faulty notice is a 422 listing every fault."""
    async with unit_of_work():
        await replace_year(year=year, notice=YearNotice(source=source, days=list(days)))
        await audit(by, "calendar.year_loaded", None, {"year": year, "source": source})
        await emit(CALENDAR_YEAR_LOADED, CalendarYearLoaded(year=year))
    return await calendar_year(year)
