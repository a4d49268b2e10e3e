"""HTTP for place codes, check-ins, tracing, risk levels and bulk colours."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter

from backend.sdk import (
    AnyRequest,
    DirectoryCode,
    ErrorCode,
    KernelCode,
    PageCursor,
    PageLimit,
    PlatformKeys,
    QrImage,
    Role,
    RowId,
    Vault,
    claims_of,
    problems,
    render_qr_off_loop,
    require_aware,
    requires_role,
)
from miniapps.health_code import bulk, places, risk
from miniapps.health_code.errors import HealthProblem as Problem
from miniapps.health_code.schemas import (
    BulkReport,
    BulkStatusIn,
    CheckInIn,
    CheckInView,
    PlaceIn,
    PlacePage,
    PlaceView,
    RiskLevelIn,
    RiskLevelPage,
    RiskLevelView,
    VisitPage,
)

Since = Annotated[
    dt.datetime,
    QueryParameter(description="The window's start, with its time zone."),
]
Until = Annotated[
    dt.datetime,
    QueryParameter(
        description="The window's end, with its time zone; 28 days after `since` at most."
    ),
]
# A window the query names: each end with its zone, in order, and 28 days at most.
WINDOW: dict[int, list[ErrorCode]] = {
    400: [KernelCode.DATETIME_NEEDS_TIMEZONE],
    422: [Problem.TRACE_WINDOW_INVALID],
}


@post(
    "/places",
    operation_id="RegisterPlace",
    guards=[requires_role(*places.REGISTRARS)],
    responses=problems({403: [KernelCode.SCOPE_NOT_ALLOWED], 422: [DirectoryCode.ORG_UNKNOWN]}),
)
async def register_place(
    request: AnyRequest, data: JSONBody[PlaceIn], keys: NamedDependency[PlatformKeys]
) -> PlaceView:
    """Register a venue, and get its static, signed place code.

    For merchants and admins, in an org unit their scope holds; the caller owns the place.
    Residents check in by scanning its code."""
    return await places.register_place(actor=claims_of(request), place=data, keys=keys)


@get("/places", operation_id="ListMyPlaces", guards=[requires_role(*places.REGISTRARS)])
async def my_places(
    request: AnyRequest,
    keys: NamedDependency[PlatformKeys],
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> PlacePage:
    """The places the caller registered, each with its code to print.

    For merchants and admins; the next page is the one after `next_cursor`."""
    return await places.places_of(actor=claims_of(request), cursor=cursor, limit=limit, keys=keys)


@get(
    "/places/{place_id:int}/qr.png",
    operation_id="RenderPlaceCode",
    guards=[requires_role(*places.REGISTRARS)],
    media_type="image/png",
    responses=problems({404: [Problem.PLACE_NOT_FOUND]}),
)
async def place_qr(
    request: AnyRequest, place_id: FromPath[RowId], keys: NamedDependency[PlatformKeys]
) -> Response[QrImage]:
    """The place's static code as a PNG QR.

    For its owner, to print and put up at the door; to anyone else the place is not
    found."""
    code = await places.code_of(actor=claims_of(request), place_id=place_id, keys=keys)
    image = await render_qr_off_loop(code, svg=False)
    return Response(image, media_type="image/png")


@post(
    "/check-ins",
    operation_id="CheckIn",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems({404: [Problem.PLACE_NOT_FOUND], 422: [Problem.PLACE_CODE_INVALID]}),
)
async def check_in(
    request: AnyRequest, data: JSONBody[CheckInIn], keys: NamedDependency[PlatformKeys]
) -> CheckInView:
    """Check in at a place by its code.

    The answer carries the caller's own colour, for the door to see."""
    return await places.check_in(user_id=claims_of(request).user_id, code=data.code, keys=keys)


@get(
    "/places/{place_id:int}/visitors",
    operation_id="ListPlaceVisitors",
    responses=problems({**WINDOW, 404: [Problem.PLACE_NOT_FOUND]}),
)
async def place_visitors(
    request: AnyRequest,
    place_id: FromPath[RowId],
    since: Since,
    until: Until,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> VisitPage:
    """Who checked in at a place within a window, in time order, a page at a time.

    For its owner and for tracers whose area holds it; only a health official in scope
    sees names unmasked. Every query is audited."""
    return await places.visitors(
        actor=claims_of(request),
        place_id=place_id,
        since=require_aware(since, field="since"),
        until=require_aware(until, field="until"),
        cursor=cursor,
        limit=limit,
    )


@get(
    "/contacts/{user_id:int}",
    operation_id="TraceContacts",
    guards=[requires_role(Role.HEALTH_OFFICIAL)],
    responses=problems({**WINDOW, 404: [Problem.HOLDER_NOT_FOUND]}),
)
async def trace_contacts(
    request: AnyRequest,
    user_id: FromPath[RowId],
    since: Since,
    until: Until,
    minutes: Annotated[
        int,
        QueryParameter(description="How close in time counts as met, in minutes (1 to 1440)."),
    ] = 30,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> VisitPage:
    """Who shared a place or a checkpoint with a person, a page at a time.

    Those who were at the same places, or passed the same checkpoints, within `minutes` of
    them, in the window. For health officials whose area holds the person; every query is
    audited."""
    return await places.contacts(
        actor=claims_of(request),
        user_id=user_id,
        since=require_aware(since, field="since"),
        until=require_aware(until, field="until"),
        minutes=min(max(minutes, 1), 24 * 60),
        cursor=cursor,
        limit=limit,
    )


@put(
    "/risk-levels/{community:path}",
    operation_id="SetRiskLevel",
    guards=[requires_role(Role.HEALTH_OFFICIAL)],
    responses=problems({403: [KernelCode.SCOPE_NOT_ALLOWED], 404: [Problem.COMMUNITY_UNKNOWN]}),
)
async def set_risk_level(
    request: AnyRequest,
    community: Annotated[
        str, PathParameter(description="The community's org path, e.g. zz/gx/fengyang/c03.")
    ],
    data: JSONBody[RiskLevelIn],
) -> RiskLevelView:
    """Set a community's risk level.

    For health officials whose area holds the community."""
    return await risk.set_level(
        actor=claims_of(request), community=community.strip("/"), level=data.level
    )


@get("/risk-levels", operation_id="ListMyRiskLevels")
async def my_risk_levels(
    request: AnyRequest,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> RiskLevelPage:
    """The risk levels of the communities the caller lives or works in, by path.

    Communities nobody set a level for are low."""
    return await risk.levels_for(claims_of(request), cursor=cursor, limit=limit)


@get(
    "/district-risk-levels",
    operation_id="ListDistrictRiskLevels",
    guards=[requires_role(*risk.OVERSEERS)],
    responses=problems({403: [KernelCode.SCOPE_NOT_ALLOWED], 404: [Problem.DISTRICT_UNKNOWN]}),
)
async def district_risk_levels(
    request: AnyRequest,
    district: Annotated[str, QueryParameter(description="The district's org path, e.g. zz/gx.")],
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> RiskLevelPage:
    """Each community of a district with its risk level, by path, a page at a time.

    For those who oversee the district: its health officials, district admins and the
    platform's admins. Communities nobody set a level for are low."""
    return await risk.levels_in(
        actor=claims_of(request), district=district, cursor=cursor, limit=limit
    )


@get(
    "/risk-level-counts",
    operation_id="CountRiskLevels",
    guards=[requires_role(*risk.OVERSEERS)],
    responses=problems({403: [KernelCode.SCOPE_NOT_ALLOWED], 404: [Problem.DISTRICT_UNKNOWN]}),
)
async def risk_level_counts(
    request: AnyRequest,
    district: Annotated[str, QueryParameter(description="The district's org path, e.g. zz/gx.")],
) -> dict[str, int]:
    """How many communities of a district are at each risk level.

    For those who oversee the district."""
    return await risk.counts_in(actor=claims_of(request), district=district)


@post(
    "/statuses/bulk",
    operation_id="SetHealthStatusesInBulk",
    guards=[requires_role(Role.HEALTH_OFFICIAL)],
    responses=problems({422: [Problem.BULK_STATUS_INVALID]}),
)
async def bulk_statuses(
    request: AnyRequest, data: JSONBody[BulkStatusIn], vault: NamedDependency[Vault]
) -> BulkReport:
    """Give many residents a colour at once.

    From rows, or from CSV (phone,colour,reason,source). Every row is checked first, and
    all are applied or none: a refusal lists each bad row by number."""
    return await bulk.apply_bulk(actor=claims_of(request), upload=data, vault=vault)


PLACE_ROUTES = [
    register_place,
    my_places,
    place_qr,
    check_in,
    place_visitors,
    trace_contacts,
    set_risk_level,
    my_risk_levels,
    district_risk_levels,
    risk_level_counts,
    bulk_statuses,
]
