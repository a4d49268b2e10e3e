"""HTTP for the working-day calendar: any signed-in caller reads a year, the catalogue's and
the platform's admins load one from the State Council's notice."""

from __future__ import annotations

from typing import Annotated

from litestar import get, put
from litestar.params import JSONBody, PathParameter

from backend.directory.workdays.service import load_year
from backend.kernel.codes import KernelCode
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.problems import problems
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import Role
from backend.kernel.workdays import CalendarYear, YearNotice, calendar_year
from backend.kernel.workdays.notice import FIRST_YEAR, LAST_YEAR

Year = Annotated[
    int,
    PathParameter(ge=FIRST_YEAR, le=LAST_YEAR, description=f"A year, {FIRST_YEAR} to {LAST_YEAR}."),
]


# A year that is not a whole number names no calendar: the path itself is not found.
_NO_SUCH_PATH = {404: [KernelCode.NOT_FOUND]}


@get(
    "/v1/calendar/years/{year:int}",
    operation_id="GetCalendarYear",
    tags=["calendar"],
    responses=problems(_NO_SUCH_PATH),
)
async def get_calendar_year(year: Year) -> CalendarYear:
    """One year of the working-day calendar.

    Its holidays and working weekends (补班), each named after its holiday, and whether the
    State Council's notice for the year is loaded (`confirmed`). In a year that is not,
    Monday to Friday count as working days, provisionally. Public information: any
    signed-in caller may read it."""
    return await calendar_year(year)


@put(
    "/v1/calendar/years/{year:int}",
    operation_id="LoadCalendarYear",
    tags=["calendar"],
    guards=[requires_role(Role.SERVICE_ADMIN, Role.PLATFORM_ADMIN)],
    responses=problems({**_NO_SUCH_PATH, 422: [KernelCode.CALENDAR_NOTICE_INVALID]}),
)
async def load_calendar_year(
    request: AnyRequest, year: Year, data: JSONBody[YearNotice]
) -> CalendarYear:
    """Load a year from the State Council's notice (国务院办公厅关于…部分节假日安排的通知).

    List every holiday and 补班 day of the notice; every other day follows the weekday
    rule. The year's days are replaced as a whole and confirmed, and the event
    `calendar.year_loaded` has deadlines counted provisionally in it recomputed. A day
    outside the year, a date named twice, or a working day on Monday to Friday is a 422
    listing every fault, and changes nothing. A notice that moves a day of the year before
    (2006-12-30 was worked for 2007's 元旦) names that day in the load of its own year. For
    the service catalogue's admins and the platform's."""
    return await load_year(year=year, days=data.days, source=data.source, by=claims_of(request))
