"""HTTP of care visits (上门探访) and of the care report for admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.sdk import (
    AnyRequest,
    KernelCode,
    NotFound,
    PageCursor,
    PageLimit,
    PhotoImage,
    PhotoUpload,
    RowId,
    Storage,
    claims_of,
    photo_response,
    picture_sent,
    problems,
    strictly,
)
from miniapps.elderly_care import elders, report, visit_photos, visits
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import ORG_PATH
from miniapps.elderly_care.visit_schemas import (
    ArriveIn,
    CareReport,
    CareVisitPage,
    CareVisitView,
    LeaveIn,
    VisitPlanIn,
    VisitPlanView,
)

PLAN = "/elders/{elder_id:int}/visit-plan"
VISITS = "/elders/{elder_id:int}/visits"


@get(
    PLAN,
    operation_id="GetVisitPlan",
    responses=problems({404: [Problem.ELDER_NOT_FOUND, Problem.NO_VISIT_PLAN]}),
)
async def get_plan(request: AnyRequest, elder_id: FromPath[RowId]) -> VisitPlanView:
    """How often care staff visit the elder, for whoever sees the elder."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    plan = await visits.plan_of(seen.id)
    if plan is None:
        raise NotFound(Problem.NO_VISIT_PLAN)
    return plan


@put(
    PLAN,
    operation_id="SetVisitPlan",
    responses=problems({403: [Problem.CARE_STAFF_ONLY], 404: [Problem.ELDER_NOT_FOUND]}),
)
async def set_plan(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    data: JSONBody[VisitPlanIn],
    care: NamedDependency[CareRuntime],
) -> VisitPlanView:
    """Set how often the elder is visited and how long a visit lasts at least.

    By care staff over the elder's grid. The care report lists the elders whose next
    visit is due and not made, and the visits shorter than `min_minutes`."""
    plan = strictly(await request.json(), VisitPlanIn)
    actor = claims_of(request)
    seen = await elders.elder_seen_by(actor, elder_id)
    return await visits.set_plan(actor=actor, seen=seen, plan=plan, care=care)


@post(
    VISITS,
    operation_id="ArriveForVisit",
    responses=problems(
        {
            403: [Problem.VISITORS_ONLY],
            404: [Problem.ELDER_NOT_FOUND],
            409: [Problem.VISIT_OPEN],
        }
    ),
)
async def arrive(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    data: JSONBody[ArriveIn],
    care: NamedDependency[CareRuntime],
) -> CareVisitView:
    """Check in at the elder's home, where the worker stands.

    By a care or grid worker over the elder's grid, with one visit open at a time."""
    at = strictly(await request.json(), ArriveIn)
    actor = claims_of(request)
    seen = await elders.elder_seen_by(actor, elder_id)
    visit_id = await visits.arrive(actor=actor, seen=seen, at=at, care=care)
    return await visits.visit_view(visit_id)


@get(VISITS, operation_id="ListVisits", responses=problems({404: [Problem.ELDER_NOT_FOUND]}))
async def list_visits(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    cursor: PageCursor = None,
    limit: PageLimit = 20,
) -> CareVisitPage:
    """The elder's visits, newest first, for whoever sees the elder."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await visits.visits_of(seen, cursor=cursor, limit=limit)


@post(
    "/visits/{visit_id:int}/leave",
    status_code=200,
    operation_id="LeaveVisit",
    responses=problems(
        {
            403: [Problem.VISITOR_OWN],
            404: [Problem.VISIT_NOT_FOUND],
            409: [Problem.VISIT_ENDED],
        }
    ),
)
async def leave(
    request: AnyRequest,
    visit_id: FromPath[RowId],
    data: JSONBody[LeaveIn],
    care: NamedDependency[CareRuntime],
) -> CareVisitView:
    """Check out of a visit, where the worker stands, with notes; by who checked in."""
    at = strictly(await request.json(), LeaveIn)
    await visits.leave(actor=claims_of(request), visit_id=visit_id, at=at, care=care)
    return await visits.visit_view(visit_id)


@post(
    "/visits/{visit_id:int}/photos",
    operation_id="AddVisitPhoto",
    operation_class=PhotoUpload,
    responses=problems(
        {
            403: [Problem.VISITOR_OWN],
            404: [Problem.VISIT_NOT_FOUND],
            409: [Problem.VISIT_PHOTOS_CLOSED, Problem.VISIT_PHOTOS_FULL],
            413: [KernelCode.BODY_TOO_LARGE],
            415: [KernelCode.PHOTO_TYPE_UNSUPPORTED],
            422: [KernelCode.PHOTO_INVALID],
        }
    ),
)
async def add_visit_photo(
    request: AnyRequest,
    visit_id: FromPath[RowId],
    storage: NamedDependency[Storage],
    care: NamedDependency[CareRuntime],
) -> dict[str, int]:
    """Add a photo to a visit, by the worker who made it.

    While they are there or within 24 h of leaving, ten at most. A JPEG or PNG of 5 MB at
    most, as the raw body or as the one file part of a multipart form; it is redrawn before
    it is kept, which drops what else the file carried (the phone's position among it)."""
    content_type = request.headers.get("content-type")
    picture = await picture_sent(content_type, await request.body(), request.form)
    photo_id = await visit_photos.add_photo(
        actor=claims_of(request), visit_id=visit_id, data=picture, storage=storage, care=care
    )
    return {"photo_id": photo_id}


@get(
    "/visits/{visit_id:int}/photos/{photo_id:int}",
    operation_id="GetVisitPhoto",
    operation_class=PhotoImage,
    responses=problems({404: [Problem.VISIT_NOT_FOUND, Problem.VISIT_PHOTO_NOT_FOUND]}),
)
async def get_visit_photo(
    request: AnyRequest,
    visit_id: FromPath[RowId],
    photo_id: FromPath[RowId],
    storage: NamedDependency[Storage],
) -> Response[bytes]:
    """One photo of a visit, as the image it is, for whoever sees the elder."""
    data, content_type = await visit_photos.photo_bytes(
        actor=claims_of(request), visit_id=visit_id, photo_id=photo_id, storage=storage
    )
    return photo_response(data, content_type)


@get(
    "/care-report",
    operation_id="GetCareReport",
    responses=problems({403: [Problem.NOT_ADMIN_OVER]}),
)
async def care_report(
    request: AnyRequest,
    under: Annotated[
        str,
        QueryParameter(
            description="The org unit whose subtree is reported on, e.g. zz/gx/fengyang/c03.",
            max_length=200,
            pattern=ORG_PATH,
        ),
    ],
    care: NamedDependency[CareRuntime],
    days: Annotated[
        int, QueryParameter(description="How many days back the report looks.", ge=1, le=90)
    ] = 30,
) -> CareReport:
    """Elderly care in an org unit's subtree, for the admins over it.

    SOS calls raised and answered, with the median time to the first answer; daily
    check-ins due and kept; visits made; elders overdue a visit; short visits."""
    return await report.care_report(actor=claims_of(request), under=under, days=days, care=care)


VISIT_ROUTES = [
    get_plan,
    set_plan,
    arrive,
    list_visits,
    leave,
    add_visit_photo,
    get_visit_photo,
    care_report,
]
