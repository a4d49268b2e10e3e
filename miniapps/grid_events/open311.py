"""Open311 GeoReport v2 over grid events, so existing 311 clients work against Yimen.

`jurisdiction_id` is a district path (zz/gx). Reads are public and name no one; a POST needs
a resident's bearer token, like any report, and takes the spec's form fields. Where a
district has switched grid events off, its jurisdiction and its requests are not found.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, Router, get, post
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath, FromQuery

from auth.guards import claims_of, requires_role
from auth.roles import Role
from backend.enablement.middleware import SwitchedOn
from backend.errors import BadRequest, NotFound
from miniapps.grid_events import service
from miniapps.grid_events.catalogue import CATEGORIES, AttributeKind, Category
from miniapps.grid_events.schemas import ReportIn
from miniapps.grid_events.states import State
from miniapps.grid_events.switches import APP_ID, districts_off, enablement_of, require_on_at
from miniapps.grid_events.tables import GridEvent

AnyRequest = Request[Any, Any, Any]
DATATYPES = {
    AttributeKind.STRING: "string",
    AttributeKind.NUMBER: "number",
    AttributeKind.DATE: "datetime",
    AttributeKind.CHOICE: "singlevaluelist",
    AttributeKind.MULTI: "multivaluelist",
}
OPEN_STATES = [
    State.REPORTED,
    State.REGISTERED,
    State.DISPATCHED,
    State.HANDLING,
    State.FED_BACK,
    State.VERIFIED,
    State.SUSPENDED,
]


class Service(msgspec.Struct, frozen=True):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceRequest(msgspec.Struct, frozen=True):
    service_request_id: str
    status: str
    service_code: str
    service_name: str
    description: str
    requested_datetime: str
    updated_datetime: str
    address: str
    lat: float | None
    long: float | None


def _service(category: Category) -> Service:
    return Service(
        service_code=category.code,
        service_name=category.names["zh-CN"],
        description=category.names.get("en", ""),
        metadata=bool(category.attributes),
        type="realtime",
        keywords=category.code,
        group="grid",
    )


def _json_name(name: str) -> str:
    if not name.endswith(".json"):
        raise NotFound("not_found")
    return name.removesuffix(".json")


@get("/services.json", operation_id="Open311ListServices", security=[{}])
async def services(request: AnyRequest) -> list[Service]:
    """Every event category as an Open311 service."""
    districts_off(enablement_of(request))
    return [_service(c) for c in CATEGORIES.values()]


@get("/services/{name:str}", operation_id="Open311GetService", security=[{}])
async def service_definition(request: AnyRequest, name: FromPath[str]) -> dict[str, Any]:
    """A service's attributes (`/services/{code}.json`)."""
    districts_off(enablement_of(request))
    category = CATEGORIES.get(_json_name(name))
    if category is None:
        raise NotFound("not_found")
    attributes = [
        {
            "variable": True,
            "code": a.name,
            "datatype": DATATYPES[a.kind],
            "required": a.required,
            "datatype_description": "",
            "order": i + 1,
            "description": a.name,
            "values": [{"key": v, "name": v} for v in a.choices],
        }
        for i, a in enumerate(category.attributes)
    ]
    return {"service_code": category.code, "attributes": attributes}


@get("/requests.json", operation_id="Open311ListRequests", security=[{}])
async def list_requests(
    request: AnyRequest,
    jurisdiction_id: FromQuery[str | None] = None,
    service_code: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    start_date: FromQuery[dt.datetime | None] = None,
    end_date: FromQuery[dt.datetime | None] = None,
) -> list[ServiceRequest]:
    """Requests filtered as the spec says (90 days and 1000 requests at most)."""
    enablement = enablement_of(request)
    off = districts_off(enablement)
    end = end_date or dt.datetime.now(dt.UTC)
    start = start_date or end - dt.timedelta(days=90)
    where: Any = (GridEvent.created_at >= start) & (GridEvent.created_at <= end)
    if jurisdiction_id:
        require_on_at(enablement, jurisdiction_id.strip("/"))
        where &= GridEvent.grid_path.like(jurisdiction_id.strip("/") + "/%")
    for district in off:
        where &= (GridEvent.grid_path != district) & GridEvent.grid_path.not_like(district + "/%")
    if service_code:
        where &= GridEvent.category.is_in(service_code.split(","))
    if status in ("open", "closed"):
        open_now = GridEvent.state.is_in(OPEN_STATES)
        where &= open_now if status == "open" else GridEvent.state.not_in(OPEN_STATES)
    rows = await GridEvent.select().where(where).order_by(GridEvent.id, ascending=False).limit(1000)
    return [_request(row) for row in rows]


@get("/requests/{name:str}", operation_id="Open311GetRequest", security=[{}])
async def get_request(request: AnyRequest, name: FromPath[str]) -> list[ServiceRequest]:
    """One request (`/requests/{id}.json`), as a list, as the spec has it."""
    enablement = enablement_of(request)
    districts_off(enablement)
    raw = _json_name(name)
    if not raw.isdigit():
        raise NotFound("not_found")
    row = await GridEvent.select().where(GridEvent.id == int(raw)).first()
    if row is None:
        raise NotFound("not_found")
    require_on_at(enablement, row["grid_path"])
    return [_request(row)]


@post(
    "/requests.json",
    operation_id="Open311CreateRequest",
    guards=[requires_role(Role.RESIDENT, Role.GRID_WORKER)],
    middleware=[DefineMiddleware(SwitchedOn, app_id=APP_ID)],
)
async def create_request(request: AnyRequest) -> list[dict[str, str]]:
    """Create a request from the spec's form fields: service_code, lat, long, address_string,
    description, attribute[code]."""
    form = await request.form()
    try:
        data = ReportIn(
            category=str(form.get("service_code", "")),
            description=str(form.get("description", "")) or "-",
            lat=float(form["lat"]) if form.get("lat") else None,
            lon=float(form["long"]) if form.get("long") else None,
            address=str(form.get("address_string", "")),
            attributes={k[10:-1]: v for k, v in form.items() if k.startswith("attribute[")},
        )
    except (ValueError, KeyError) as err:
        raise BadRequest("validation_failed") from err
    event = await service.report(actor=claims_of(request), data=data)
    return [{"service_request_id": str(event.id)}]


def _request(row: dict[str, Any]) -> ServiceRequest:
    category = CATEGORIES.get(row["category"])
    return ServiceRequest(
        service_request_id=str(row["id"]),
        status="open" if row["state"] in OPEN_STATES else "closed",
        service_code=row["category"],
        service_name=category.names["zh-CN"] if category else row["category"],
        description=row["description"],
        requested_datetime=row["created_at"].isoformat(),
        updated_datetime=row["updated_at"].isoformat(),
        address=row["address"],
        lat=row["lat"],
        long=row["lon"],
    )


open311 = Router(
    path="/open311/v2",
    tags=["open311"],
    route_handlers=[services, service_definition, list_requests, get_request, create_request],
)
