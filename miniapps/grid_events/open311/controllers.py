"""Open311's routes: parse, call the service, shape. The policy is in the package docstring."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.middleware import DefineMiddleware
from litestar.params import FromQuery, PathParameter, QueryParameter

from backend.sdk import (
    AnyRequest,
    Enablement,
    ErrorCode,
    KernelCode,
    Quota,
    Role,
    SwitchedOn,
    claims_of,
    problems,
    rate_limited,
    requires_role,
)
from miniapps.grid_events import service
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.open311.errors import Open311Code as Code
from miniapps.grid_events.open311.filters import (
    MAX_REQUESTS,
    Jurisdiction,
    Page,
    PageSize,
    RequestIds,
    ServiceCodes,
)
from miniapps.grid_events.open311.form import report_of
from miniapps.grid_events.open311.published import RequestStatus, Service, ServiceRequest
from miniapps.grid_events.open311.service import (
    define_service,
    find_request,
    find_requests,
    list_services,
)
from miniapps.grid_events.switches import APP_ID

# Every read checks its jurisdiction, and answers nothing where grid events are switched off.
JURISDICTION: dict[int, list[ErrorCode]] = {
    400: [Code.OPEN311_JURISDICTION_INVALID],
    404: [Code.OPEN311_JURISDICTION_UNKNOWN, KernelCode.MINIAPP_UNAVAILABLE],
}
NAMED: dict[int, list[ErrorCode]] = {
    **JURISDICTION,
    404: [*JURISDICTION[404], KernelCode.NOT_FOUND],
}
Named = Annotated[
    str, PathParameter(description="The code or id followed by `.json`, as the spec has it.")
]
Dated = Annotated[
    dt.datetime | None,
    QueryParameter(description="With its time zone, e.g. 2026-01-01T08:00:00+08:00."),
]

# The reads are open to anyone, so each address is held to the public quota.
PUBLIC = rate_limited(Quota.PUBLIC)


@get(
    "/services.json",
    operation_id="Open311ListServices",
    security=[{}],
    middleware=[PUBLIC],
    responses=problems(JURISDICTION),
)
async def services(
    enablement: NamedDependency[Enablement], jurisdiction_id: FromQuery[Jurisdiction] = None
) -> list[Service]:
    """Every public event category as an Open311 service.

    Categories that name people or their homes are not public and are left out."""
    return await list_services(enablement=enablement, jurisdiction_id=jurisdiction_id)


@get(
    "/services/{name:str}",
    operation_id="Open311GetService",
    security=[{}],
    middleware=[PUBLIC],
    responses=problems(NAMED),
)
async def service_definition(
    enablement: NamedDependency[Enablement],
    name: Named,
    jurisdiction_id: FromQuery[Jurisdiction] = None,
) -> dict[str, Any]:
    """A public service's definition: the attributes a request of it carries.

    Read as `/services/{code}.json`; a private or unknown code is not found."""
    return await define_service(enablement=enablement, name=name, jurisdiction_id=jurisdiction_id)


@get(
    "/requests.json",
    operation_id="Open311ListRequests",
    security=[{}],
    middleware=[PUBLIC],
    responses=problems(
        {
            **JURISDICTION,
            400: [
                *JURISDICTION[400],
                KernelCode.DATETIME_NEEDS_TIMEZONE,
                Code.OPEN311_DATE_OUT_OF_RANGE,
                Code.OPEN311_DATES_REVERSED,
                Code.OPEN311_REQUEST_ID_INVALID,
                Code.OPEN311_SERVICE_UNKNOWN,
            ],
        }
    ),
)
async def list_requests(
    enablement: NamedDependency[Enablement],
    jurisdiction_id: FromQuery[Jurisdiction] = None,
    service_request_id: FromQuery[RequestIds] = None,
    service_code: FromQuery[ServiceCodes] = None,
    status: Annotated[
        RequestStatus | None, QueryParameter(description="Only open or only closed requests.")
    ] = None,
    start_date: Dated = None,
    end_date: Dated = None,
    page: FromQuery[Page] = 1,
    page_size: FromQuery[PageSize] = MAX_REQUESTS,
) -> list[ServiceRequest]:
    """Public requests, filtered as the spec says.

    The last 90 days unless dated, 1000 at most, newest first; `service_request_id`
    overrides the other filters. A request shows its place and state, never its reporter."""
    return await find_requests(
        enablement=enablement,
        jurisdiction_id=jurisdiction_id,
        service_request_id=service_request_id,
        service_code=service_code,
        status=status,
        start_date=start_date,
        end_date=end_date,
        page=page,
        page_size=page_size,
    )


@get(
    "/requests/{name:str}",
    operation_id="Open311GetRequest",
    security=[{}],
    middleware=[PUBLIC],
    responses=problems(NAMED),
)
async def get_request(
    enablement: NamedDependency[Enablement],
    name: Named,
    jurisdiction_id: FromQuery[Jurisdiction] = None,
) -> list[ServiceRequest]:
    """One public request, in a list of one, as the spec has it.

    Read as `/requests/{id}.json`; a request in a private category is not found."""
    found = await find_request(
        enablement=enablement,
        name=name,
        jurisdiction_id=jurisdiction_id,
    )
    return [found]


@post(
    "/requests.json",
    operation_id="Open311CreateRequest",
    guards=[requires_role(Role.RESIDENT, Role.GRID_WORKER)],
    middleware=[DefineMiddleware(SwitchedOn, app_id=APP_ID), rate_limited(Quota.REPORTS)],
    security=[{"BearerToken": []}],  # the host's bearer scheme: posting needs a login
    responses=problems(
        {
            400: [
                Code.OPEN311_SERVICE_UNKNOWN,
                KernelCode.VALIDATION_FAILED,
                KernelCode.TEXT_HAS_NUL,
            ],
            413: [KernelCode.BODY_TOO_LARGE],
            422: [
                GridEventsCode.EVENT_REPORT_INVALID,
                GridEventsCode.EVENT_NO_GRID,
                GridEventsCode.EVENT_NEEDS_PLACE,
                GridEventsCode.EVENT_NO_HANDLER,
            ],
        }
    ),
)
async def create_request(request: AnyRequest) -> list[dict[str, str]]:
    """Create a request in a public category, as a grid event.

    From the spec's form fields (`application/x-www-form-urlencoded`): service_code, lat,
    long, address_string, description and attribute[code]. A resident or grid worker signs
    in as for any other route."""
    data = report_of(await request.form())
    event = await service.report(actor=claims_of(request), data=data)
    return [{"service_request_id": str(event.id)}]


open311 = Router(
    path="/open311/v2",
    tags=["open311"],
    route_handlers=[services, service_definition, list_requests, get_request, create_request],
)
