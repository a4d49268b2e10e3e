"""Open311's routes: parse, check, call, shape. The policy is in the package docstring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath, FromQuery

from backend.kernel.enablement.middleware import SwitchedOn
from backend.kernel.enablement.service import Enablement
from backend.kernel.errors import NotFound
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.paths import is_within
from backend.kernel.roles import Role
from miniapps.grid_events import service
from miniapps.grid_events.open311 import filters
from miniapps.grid_events.open311.filters import (
    MAX_REQUESTS,
    Jurisdiction,
    Page,
    PageSize,
    RequestIds,
    ServiceCodes,
)
from miniapps.grid_events.open311.form import report_of
from miniapps.grid_events.open311.published import (
    PUBLIC_CATEGORIES,
    RequestFilter,
    RequestStatus,
    Service,
    ServiceRequest,
    definition_of,
    find_requests,
    public_request,
    service_of,
)
from miniapps.grid_events.switches import APP_ID, districts_off, require_on_at

AnyRequest = Request[Any, Any, Any]


def _json_name(name: str) -> str:
    if not name.endswith(".json"):
        raise NotFound("not_found")
    return name.removesuffix(".json")


@get("/services.json", operation_id="Open311ListServices", security=[{}])
async def services(
    enablement: NamedDependency[Enablement], jurisdiction_id: FromQuery[Jurisdiction] = None
) -> list[Service]:
    """Every public event category as an Open311 service."""
    districts_off(enablement)
    await filters.jurisdiction(enablement, jurisdiction_id)
    return [service_of(c) for c in PUBLIC_CATEGORIES.values()]


@get("/services/{name:str}", operation_id="Open311GetService", security=[{}])
async def service_definition(
    enablement: NamedDependency[Enablement],
    name: FromPath[str],
    jurisdiction_id: FromQuery[Jurisdiction] = None,
) -> dict[str, Any]:
    """A public service's attributes (`/services/{code}.json`)."""
    districts_off(enablement)
    await filters.jurisdiction(enablement, jurisdiction_id)
    category = PUBLIC_CATEGORIES.get(_json_name(name))
    if category is None:
        raise NotFound("not_found")
    return definition_of(category)


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
    start, end = filters.window(start_date, end_date)
    found = RequestFilter(
        districts_off=districts_off(enablement),
        jurisdiction=await filters.jurisdiction(enablement, jurisdiction_id),
        ids=filters.request_ids(service_request_id),
        codes=filters.service_codes(service_code),
        status=status,
        start=start,
        end=end,
        page=page,
        page_size=page_size,
    )
    return await find_requests(found=found)


@get("/requests/{name:str}", operation_id="Open311GetRequest", security=[{}])
async def get_request(
    enablement: NamedDependency[Enablement],
    name: FromPath[str],
    jurisdiction_id: FromQuery[Jurisdiction] = None,
) -> list[ServiceRequest]:
    """One public request (`/requests/{id}.json`), as a list, as the spec has it."""
    districts_off(enablement)
    district = await filters.jurisdiction(enablement, jurisdiction_id)
    request_id = filters.row_id(_json_name(name))
    found = None if request_id is None else await public_request(request_id=request_id)
    if found is None or (district is not None and not is_within(found[0], district)):
        raise NotFound("not_found")
    grid_path, published = found
    require_on_at(enablement, grid_path)
    return [published]


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
