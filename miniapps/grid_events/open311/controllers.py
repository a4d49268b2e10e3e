"""Open311's routes: parse, call the service, shape. The policy is in the package docstring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath, FromQuery

from backend.sdk import AnyRequest, Enablement, Role, SwitchedOn, claims_of, requires_role
from miniapps.grid_events import service
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


@get("/services.json", operation_id="Open311ListServices", security=[{}])
async def services(
    enablement: NamedDependency[Enablement], jurisdiction_id: FromQuery[Jurisdiction] = None
) -> list[Service]:
    """Every public event category as an Open311 service."""
    return await list_services(enablement=enablement, jurisdiction_id=jurisdiction_id)


@get("/services/{name:str}", operation_id="Open311GetService", security=[{}])
async def service_definition(
    enablement: NamedDependency[Enablement],
    name: FromPath[str],
    jurisdiction_id: FromQuery[Jurisdiction] = None,
) -> dict[str, Any]:
    """A public service's attributes (`/services/{code}.json`)."""
    return await define_service(enablement=enablement, name=name, jurisdiction_id=jurisdiction_id)


@get("/requests.json", operation_id="Open311ListRequests", security=[{}])
async def list_requests(
    enablement: NamedDependency[Enablement],
    jurisdiction_id: FromQuery[Jurisdiction] = None,
    service_request_id: FromQuery[RequestIds] = None,
    service_code: FromQuery[ServiceCodes] = None,
    status: FromQuery[RequestStatus | None] = None,
    start_date: FromQuery[dt.datetime | None] = None,
    end_date: FromQuery[dt.datetime | None] = None,
    page: FromQuery[Page] = 1,
    page_size: FromQuery[PageSize] = MAX_REQUESTS,
) -> list[ServiceRequest]:
    """Public requests filtered as the spec says: the last 90 days unless dated, 1000 at
    most, and `service_request_id` overriding the other filters."""
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


@get("/requests/{name:str}", operation_id="Open311GetRequest", security=[{}])
async def get_request(
    enablement: NamedDependency[Enablement],
    name: FromPath[str],
    jurisdiction_id: FromQuery[Jurisdiction] = None,
) -> list[ServiceRequest]:
    """One public request (`/requests/{id}.json`), as a list, as the spec has it."""
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
    middleware=[DefineMiddleware(SwitchedOn, app_id=APP_ID)],
)
async def create_request(request: AnyRequest) -> list[dict[str, str]]:
    """Create a request in a public category from the spec's form fields: service_code,
    lat, long, address_string, description, attribute[code]."""
    data = report_of(await request.form())
    event = await service.report(actor=claims_of(request), data=data)
    return [{"service_request_id": str(event.id)}]


open311 = Router(
    path="/open311/v2",
    tags=["open311"],
    route_handlers=[services, service_definition, list_requests, get_request, create_request],
)
