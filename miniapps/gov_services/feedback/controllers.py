"""HTTP of 好差评: rate a case, work an org's rectifications, appeal a rating, and the public
aggregates."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.sdk import (
    AnyRequest,
    DirectoryCode,
    KernelCode,
    PageCursor,
    PageLimit,
    Role,
    RowId,
    claims_of,
    idempotent,
    problems,
    requires_role,
)
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.feedback import appeals, ratings, rectifications
from miniapps.gov_services.feedback.rectifications import STAFF
from miniapps.gov_services.feedback.schemas import (
    AppealIn,
    AppealPage,
    AppealStatus,
    AppealView,
    DecisionIn,
    RateIn,
    RatingSummary,
    RatingView,
    RectificationPage,
    RectificationStatus,
    RectificationView,
    ReplyIn,
    RevisitIn,
)

OrgParameter = Annotated[
    str,
    QueryParameter(
        description="An org path, e.g. `zz/gx`; its offices below count with it.",
        pattern=r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}$",
        max_length=200,
    ),
]
RECTIFICATION_REFUSALS = problems(
    {
        403: [KernelCode.SCOPE_NOT_ALLOWED],
        404: [Code.RECTIFICATION_NOT_FOUND],
        409: [Code.RECTIFICATION_NOT_OPEN],
    }
)


@post(
    "/applications/{application_id:int}/rating",
    operation_id="RateApplication",
    middleware=[idempotent],
    guards=[requires_role(Role.RESIDENT)],
    responses=problems(
        {
            403: [Code.APPLICATION_NOT_YOURS],
            404: [Code.APPLICATION_NOT_FOUND],
            409: [Code.RATING_TOO_EARLY, Code.RATING_EXISTS],
            422: [Code.RATING_LEVEL_INVALID],
        }
    ),
)
async def rate(
    request: AnyRequest, application_id: FromPath[RowId], data: JSONBody[RateIn]
) -> RatingView:
    """Rate one's own application (好差评), once it is completed or refused.

    One rating per application (一事一评): a second is a 409. A 不满意 (2) or 非常不满意 (1)
    opens a rectification for the office that handled it, due in 15 working days."""
    return await ratings.rate(actor=claims_of(request), application_id=application_id, data=data)


@get(
    "/rectifications",
    operation_id="ListRectifications",
    guards=[requires_role(*STAFF)],
)
async def list_rectifications(
    request: AnyRequest,
    status: Annotated[
        RectificationStatus | None, QueryParameter(description="Only those in this status.")
    ] = None,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> RectificationPage:
    """The rectifications of the offices the caller holds, oldest first."""
    return await rectifications.list_rectifications(
        actor=claims_of(request), status=status, cursor=cursor, limit=limit
    )


@post(
    "/rectifications/{rectification_id:int}/reply",
    status_code=200,
    operation_id="ReplyToRectification",
    guards=[requires_role(*STAFF)],
    responses=RECTIFICATION_REFUSALS,
)
async def reply(
    request: AnyRequest, rectification_id: FromPath[RowId], data: JSONBody[ReplyIn]
) -> RectificationView:
    """Record what the office did about a bad rating; a later reply replaces it."""
    return await rectifications.reply(
        actor=claims_of(request), rectification_id=rectification_id, data=data
    )


@post(
    "/rectifications/{rectification_id:int}/revisit",
    status_code=200,
    operation_id="RecordRectificationRevisit",
    guards=[requires_role(*STAFF)],
    responses=RECTIFICATION_REFUSALS,
)
async def revisit(
    request: AnyRequest, rectification_id: FromPath[RowId], data: JSONBody[RevisitIn]
) -> RectificationView:
    """Record the follow-up visit (回访) to the applicant and whether they were satisfied."""
    return await rectifications.revisit(
        actor=claims_of(request), rectification_id=rectification_id, data=data
    )


@post(
    "/rectifications/{rectification_id:int}/close",
    status_code=200,
    operation_id="CloseRectification",
    guards=[requires_role(*STAFF)],
    responses=problems(
        {
            403: [KernelCode.SCOPE_NOT_ALLOWED],
            404: [Code.RECTIFICATION_NOT_FOUND],
            409: [Code.RECTIFICATION_NOT_OPEN, Code.RECTIFICATION_INCOMPLETE],
        }
    ),
)
async def close(request: AnyRequest, rectification_id: FromPath[RowId]) -> RectificationView:
    """Close a rectification: only once it has both a reply and a follow-up visit (409)."""
    return await rectifications.close(actor=claims_of(request), rectification_id=rectification_id)


@post(
    "/ratings/{rating_id:int}/appeal",
    operation_id="AppealRating",
    middleware=[idempotent],
    guards=[requires_role(*STAFF)],
    responses=problems(
        {
            403: [KernelCode.SCOPE_NOT_ALLOWED],
            404: [Code.RATING_NOT_FOUND],
            409: [Code.APPEAL_EXISTS],
        }
    ),
)
async def appeal(
    request: AnyRequest, rating_id: FromPath[RowId], data: JSONBody[AppealIn]
) -> AppealView:
    """Ask for a review (申诉复核) of a rating the office holds malicious; once per rating.

    A service approver over the office decides. Until then the rating counts."""
    return await appeals.appeal(actor=claims_of(request), rating_id=rating_id, data=data)


@get("/rating-appeals", operation_id="ListRatingAppeals", guards=[requires_role(*STAFF)])
async def list_appeals(
    request: AnyRequest,
    status: Annotated[
        AppealStatus | None, QueryParameter(description="Only those in this status.")
    ] = None,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> AppealPage:
    """The appeals about the offices the caller holds, oldest first."""
    return await appeals.list_appeals(
        actor=claims_of(request), status=status, cursor=cursor, limit=limit
    )


@post(
    "/rating-appeals/{appeal_id:int}/decision",
    status_code=200,
    operation_id="DecideRatingAppeal",
    guards=[requires_role(Role.SERVICE_APPROVER)],
    responses=problems(
        {
            403: [KernelCode.SCOPE_NOT_ALLOWED, Code.APPEAL_OWN],
            404: [Code.APPEAL_NOT_FOUND],
            409: [Code.APPEAL_DECIDED],
        }
    ),
)
async def decide_appeal(
    request: AnyRequest, appeal_id: FromPath[RowId], data: JSONBody[DecisionIn]
) -> AppealView:
    """Uphold or dismiss an appeal. Upheld, the rating leaves the aggregates and its open
    rectification is void. Whoever made the appeal cannot decide it."""
    return await appeals.decide(actor=claims_of(request), appeal_id=appeal_id, data=data)


@get(
    "/rating-summaries/items/{item_id:int}",
    operation_id="GetItemRatingSummary",
    responses=problems({404: [Code.ITEM_NOT_FOUND]}),
)
async def item_summary(item_id: FromPath[RowId]) -> RatingSummary:
    """How residents rated a service item: counts per level and the satisfaction rate."""
    return await ratings.item_summary(item_id=item_id)


@get(
    "/rating-summaries/orgs",
    operation_id="GetOrgRatingSummary",
    responses=problems({422: [DirectoryCode.ORG_UNIT_UNKNOWN]}),
)
async def org_summary(org: OrgParameter) -> RatingSummary:
    """How residents rated the cases an office, and the offices below it, handled."""
    return await ratings.org_summary(org=org)


ROUTES = [
    rate,
    list_rectifications,
    reply,
    revisit,
    close,
    appeal,
    list_appeals,
    decide_appeal,
    item_summary,
    org_summary,
]
