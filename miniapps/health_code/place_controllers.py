"""HTTP for place codes, check-ins, tracing, risk levels and bulk colours."""

from __future__ import annotations

import datetime as dt

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from backend.sdk import (
    AnyRequest,
    PageLimit,
    PlatformKeys,
    Role,
    RowId,
    Vault,
    claims_of,
    require_aware,
    requires_role,
)
from miniapps.health_code import bulk, places, risk
from miniapps.health_code.qr import QrImage, render_qr_off_loop
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


@post("/places", operation_id="RegisterPlace", guards=[requires_role(*places.REGISTRARS)])
async def register_place(
    request: AnyRequest, data: JSONBody[PlaceIn], keys: NamedDependency[PlatformKeys]
) -> PlaceView:
    """Register a venue and get its static, signed place code."""
    return await places.register_place(actor=claims_of(request), place=data, keys=keys)


@get("/places", operation_id="ListMyPlaces", guards=[requires_role(*places.REGISTRARS)])
async def my_places(
    request: AnyRequest,
    keys: NamedDependency[PlatformKeys],
    cursor: FromQuery[str | None] = None,
    limit: FromQuery[PageLimit] = 50,
) -> PlacePage:
    """The places the caller registered, each with its code to print; the next page is the
    one after `next_cursor`."""
    return await places.places_of(actor=claims_of(request), cursor=cursor, limit=limit, keys=keys)


@get(
    "/places/{place_id:int}/qr.png",
    operation_id="RenderPlaceCode",
    guards=[requires_role(*places.REGISTRARS)],
    media_type="image/png",
)
async def place_qr(
    request: AnyRequest, place_id: FromPath[RowId], keys: NamedDependency[PlatformKeys]
) -> Response[QrImage]:
    """The place's static code as a PNG QR, to print and put up at the door (its owner)."""
    code = await places.code_of(actor=claims_of(request), place_id=place_id, keys=keys)
    image = await render_qr_off_loop(code, svg=False)
    return Response(image, media_type="image/png")


@post("/check-ins", operation_id="CheckIn", guards=[requires_role(Role.RESIDENT)])
async def check_in(
    request: AnyRequest, data: JSONBody[CheckInIn], keys: NamedDependency[PlatformKeys]
) -> CheckInView:
    """Check in at a place by its code; answers with the caller's own colour."""
    return await places.check_in(user_id=claims_of(request).user_id, code=data.code, keys=keys)


@get("/places/{place_id:int}/visitors", operation_id="ListPlaceVisitors")
async def place_visitors(
    request: AnyRequest,
    place_id: FromPath[RowId],
    since: FromQuery[dt.datetime],
    until: FromQuery[dt.datetime],
    cursor: FromQuery[str | None] = None,
    limit: FromQuery[PageLimit] = 50,
) -> VisitPage:
    """Who checked in at a place, in time order: for its owner and tracers in scope; every
    query audited."""
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
)
async def trace_contacts(
    request: AnyRequest,
    user_id: FromPath[RowId],
    since: FromQuery[dt.datetime],
    until: FromQuery[dt.datetime],
    minutes: FromQuery[int] = 30,
    cursor: FromQuery[str | None] = None,
    limit: FromQuery[PageLimit] = 50,
) -> VisitPage:
    """Who shared a place with a person within `minutes`, in time order; every query
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
)
async def set_risk_level(
    request: AnyRequest, community: FromPath[str], data: JSONBody[RiskLevelIn]
) -> RiskLevelView:
    """Set a community's risk level."""
    return await risk.set_level(
        actor=claims_of(request), community=community.strip("/"), level=data.level
    )


@get("/risk-levels", operation_id="ListMyRiskLevels")
async def my_risk_levels(
    request: AnyRequest,
    cursor: FromQuery[str | None] = None,
    limit: FromQuery[PageLimit] = 50,
) -> RiskLevelPage:
    """The risk levels of the communities the caller lives or works in, by path."""
    return await risk.levels_for(claims_of(request), cursor=cursor, limit=limit)


@get("/risk-level-counts", operation_id="CountRiskLevels", guards=[requires_role(*risk.OVERSEERS)])
async def risk_level_counts(request: AnyRequest, district: FromQuery[str]) -> dict[str, int]:
    """How many communities of a district are at each level."""
    return await risk.counts_in(actor=claims_of(request), district=district)


@post(
    "/statuses/bulk",
    operation_id="SetHealthStatusesInBulk",
    guards=[requires_role(Role.HEALTH_OFFICIAL)],
)
async def bulk_statuses(
    request: AnyRequest, data: JSONBody[BulkStatusIn], vault: NamedDependency[Vault]
) -> BulkReport:
    """Colours for many residents from rows or CSV (phone,colour,reason,source): every row
    is checked, and all are applied or none."""
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
    risk_level_counts,
    bulk_statuses,
]
