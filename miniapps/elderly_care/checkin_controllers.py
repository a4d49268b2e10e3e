"""HTTP of the daily safety check-in (平安打卡)."""

from __future__ import annotations

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.sdk import (
    AnyRequest,
    NotFound,
    PageCursor,
    PageLimit,
    RowId,
    claims_of,
    problems,
    strictly,
)
from miniapps.elderly_care import checkins, elders
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import (
    CheckinHistory,
    CheckinPlanIn,
    CheckinPlanView,
    CheckinView,
)

PLAN = "/elders/{elder_id:int}/checkin-plan"
CHECKINS = "/elders/{elder_id:int}/checkins"


@get(
    PLAN,
    operation_id="GetCheckinPlan",
    responses=problems({404: [Problem.ELDER_NOT_FOUND, Problem.NO_CHECKIN_PLAN]}),
)
async def get_plan(request: AnyRequest, elder_id: FromPath[RowId]) -> CheckinPlanView:
    """When the elder checks in each day; for whoever sees the elder."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    plan = await checkins.plan_of(seen.id)
    if plan is None:
        raise NotFound(Problem.NO_CHECKIN_PLAN)
    return checkins.plan_view(seen.id, plan)


@put(
    PLAN,
    operation_id="SetCheckinPlan",
    responses=problems(
        {
            403: [Problem.CARE_STAFF_ONLY],
            404: [Problem.ELDER_NOT_FOUND],
            422: [Problem.WINDOW_BACKWARDS, Problem.DAY_TWICE, Problem.GRACE_PAST_MIDNIGHT],
        }
    ),
)
async def set_plan(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    data: JSONBody[CheckinPlanIn],
    care: NamedDependency[CareRuntime],
) -> CheckinPlanView:
    """Set the elder's daily check-in: window, days, grace and cascade step.

    By the elder or care staff over their grid. The window is in the city's time
    (Asia/Shanghai); a day missed, `grace_minutes` after the window closes, reminds the
    elder, then rings the contacts in order, then opens a grid event for the grid worker,
    `step_minutes` apart. The window's end and its grace fall before midnight. A plan set
    after today's window and grace have passed is kept from tomorrow on."""
    plan = strictly(await request.json(), CheckinPlanIn)
    actor = claims_of(request)
    seen = await elders.elder_seen_by(actor, elder_id)
    return await checkins.set_plan(actor=actor, seen=seen, plan=plan, care=care)


@post(
    CHECKINS,
    status_code=200,
    operation_id="CheckInElder",
    responses=problems(
        {
            403: [Problem.ELDER_OR_FAMILY],
            404: [Problem.ELDER_NOT_FOUND],
            422: [Problem.NO_CHECKIN_PLAN, Problem.CHECKIN_OUTSIDE_WINDOW],
        }
    ),
)
async def check_in(
    request: AnyRequest, elder_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> CheckinView:
    """Check in for today (报平安): by the elder, or a family member who called them.

    Open from the window's start to the end of the local day, on the days set; a check-in
    after the window still ends the day's missed check-in alarm. A member's check-in is
    marked as made on the elder's behalf. Once a day: again changes nothing."""
    actor = claims_of(request)
    seen = await elders.elder_seen_by(actor, elder_id)
    day = await checkins.check_in(actor=actor, seen=seen, care=care)
    return await checkins.day_view(seen.id, day)


@get(CHECKINS, operation_id="ListCheckins", responses=problems({404: [Problem.ELDER_NOT_FOUND]}))
async def list_checkins(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    care: NamedDependency[CareRuntime],
    cursor: PageCursor = None,
    limit: PageLimit = 30,
) -> CheckinHistory:
    """The elder's check-in days, newest first, and their streak; for whoever sees them."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await checkins.history(seen, cursor=cursor, limit=limit, care=care)


CHECKIN_ROUTES = [get_plan, set_plan, check_in, list_checkins]
