"""Open311 GeoReport v2 over grid events, so existing 311 clients work against Yimen.

Reads are anonymous, so they publish only what anyone may know about a place:
- only the categories the catalogue marks `public` (things in the street). A category about
  a person or a household (an elder's alert, group renting) is, for Open311, in no service
  list, no service definition, no request list and no lookup by id;
- a request's place as the centre of its cell of 0.001° (about 100 m), never the point
  reported, and no address: a flat or house number names a household;
- no description at all: reporters write names, phone numbers and flat numbers into it, and
  nothing reviews it before publication. Once staff review exists, only reviewed text may be
  published;
- no reporter, handler, photo or timeline.

A post needs a resident's or grid worker's bearer token and takes the spec's form fields
(`application/x-www-form-urlencoded`, or multipart). It is checked against the same
constraints as a native report, and only a public category may be posted: an Open311
client could not read back a private event, and a person in need is served by the app's own
report route, whose answer they can follow.

`jurisdiction_id` is the city (`zz`) or a district path (`zz/gx`). Dates must name their
zone, as the W3C format the spec cites requires for a time of day. `page` (from 1) and
`page_size` (at most 1000, the spec's cap) are an extension the spec leaves room for. Where
a district has switched grid events off, its jurisdiction and its requests are not found.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.datastructures import FormMultiDict
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath, FromQuery, Parameter

from auth.guards import claims_of, requires_role
from auth.roles import Role
from backend.enablement.middleware import SwitchedOn
from backend.enablement.service import Enablement
from backend.errors import BadRequest, FieldError, NotFound, register_messages
from backend.orgs.paths import Level, is_valid, level_of
from backend.orgs.service import unit_at
from backend.params import ROW_ID_MAX, require_aware
from miniapps.grid_events import service
from miniapps.grid_events.catalogue import CATEGORIES, AttributeKind, Category
from miniapps.grid_events.schemas import ReportIn
from miniapps.grid_events.states import State
from miniapps.grid_events.switches import APP_ID, districts_off, enablement_of, require_on_at
from miniapps.grid_events.tables import GridEvent

register_messages(
    {
        "open311_service_unknown": ("没有该服务类别", "No such service; see services.json"),
        "open311_jurisdiction_invalid": (
            "辖区须为市或区的路径,例如 zz/gx",
            "The jurisdiction must be the city's or a district's path, e.g. zz/gx",
        ),
        "open311_jurisdiction_unknown": ("没有该辖区", "No such jurisdiction"),
        "open311_date_out_of_range": ("日期超出范围", "The date is out of range"),
        "open311_dates_reversed": ("开始日期晚于结束日期", "The start date is after the end date"),
        "open311_request_id_invalid": (
            "请求编号须为至多 100 个以逗号分隔的正整数",
            "Request ids must be at most 100 positive integers, separated by commas",
        ),
    }
)

AnyRequest = Request[Any, Any, Any]
PUBLIC_CATEGORIES = {code: c for code, c in CATEGORIES.items() if c.public}
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
MAX_REQUESTS = 1000  # the spec's cap on one answer
MAX_IDS = 100
DEFAULT_WINDOW = dt.timedelta(days=90)  # the spec's default span
CELL = 0.001  # degrees: ~111 m of latitude, ~91 m of longitude in Zhengzhou
ROW_ID = re.compile(r"[1-9][0-9]{0,18}")  # canonical ASCII, so one id has one spelling
# Where a `ReportIn` field comes from in the spec's form, to name it in errors.
FORM_FIELDS = {"category": "service_code", "lon": "long", "address": "address_string"}
ERROR_PATH = re.compile(r"^(?P<message>.*) - at `\$\.(?P<field>\w+)")
# Finite and far from overflow, so a number attribute can be stored as JSON.
FormNumber = Annotated[float, msgspec.Meta(ge=-1e15, le=1e15)]

# Bounds on the optional type as a whole: on `Annotated[str, ...] | None` Litestar drops them.
Jurisdiction = Annotated[
    str | None,
    Parameter(max_length=200, description="The city's or a district's path, e.g. zz/gx."),
]
ServiceCodes = Annotated[
    str | None, Parameter(max_length=1000, description="Service codes, separated by commas.")
]
RequestIds = Annotated[
    str | None,
    Parameter(max_length=2000, description="At most 100 request ids, separated by commas."),
]
Page = Annotated[int, Parameter(ge=1, le=10_000, description="The page, from 1.")]
PageSize = Annotated[
    int, Parameter(ge=1, le=MAX_REQUESTS, description="Requests per page, 1 to 1000.")
]


class Status(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Service(msgspec.Struct, frozen=True):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceRequest(msgspec.Struct, frozen=True):
    """What anyone may read of a request: no words of the reporter, no exact place."""

    service_request_id: str
    status: str
    service_code: str
    service_name: str
    requested_datetime: str
    updated_datetime: str
    lat: float | None
    long: float | None


class RequestFilter(msgspec.Struct, frozen=True, kw_only=True):
    districts_off: frozenset[str]
    jurisdiction: str | None
    ids: list[int] | None
    codes: list[str]
    status: Status | None
    start: dt.datetime
    end: dt.datetime
    page: int
    page_size: int


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
    """Every public event category as an Open311 service."""
    districts_off(enablement_of(request))
    return [_service(c) for c in PUBLIC_CATEGORIES.values()]


@get("/services/{name:str}", operation_id="Open311GetService", security=[{}])
async def service_definition(request: AnyRequest, name: FromPath[str]) -> dict[str, Any]:
    """A public service's attributes (`/services/{code}.json`)."""
    districts_off(enablement_of(request))
    category = PUBLIC_CATEGORIES.get(_json_name(name))
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
    jurisdiction_id: FromQuery[Jurisdiction] = None,
    service_request_id: FromQuery[RequestIds] = None,
    service_code: FromQuery[ServiceCodes] = None,
    status: FromQuery[Status | None] = None,
    start_date: FromQuery[dt.datetime | None] = None,
    end_date: FromQuery[dt.datetime | None] = None,
    page: FromQuery[Page] = 1,
    page_size: FromQuery[PageSize] = MAX_REQUESTS,
) -> list[ServiceRequest]:
    """Public requests filtered as the spec says: the last 90 days unless dated, 1000 at
    most, and `service_request_id` overriding every other filter."""
    enablement = enablement_of(request)
    start, end = _window(start_date, end_date)
    found = RequestFilter(
        districts_off=districts_off(enablement),
        jurisdiction=await _jurisdiction(enablement, jurisdiction_id),
        ids=_request_ids(service_request_id),
        codes=_service_codes(service_code),
        status=status,
        start=start,
        end=end,
        page=page,
        page_size=page_size,
    )
    return [_published(row) for row in await _find_requests(found)]


@get("/requests/{name:str}", operation_id="Open311GetRequest", security=[{}])
async def get_request(request: AnyRequest, name: FromPath[str]) -> list[ServiceRequest]:
    """One public request (`/requests/{id}.json`), as a list, as the spec has it."""
    enablement = enablement_of(request)
    districts_off(enablement)
    request_id = _row_id(_json_name(name))
    if request_id is None:
        raise NotFound("not_found")
    row = (
        await GridEvent.select()
        .where((GridEvent.id == request_id) & GridEvent.category.is_in(list(PUBLIC_CATEGORIES)))
        .first()
    )
    if row is None:
        raise NotFound("not_found")
    require_on_at(enablement, row["grid_path"])
    return [_published(row)]


@post(
    "/requests.json",
    operation_id="Open311CreateRequest",
    guards=[requires_role(Role.RESIDENT, Role.GRID_WORKER)],
    middleware=[DefineMiddleware(SwitchedOn, app_id=APP_ID)],
)
async def create_request(request: AnyRequest) -> list[dict[str, str]]:
    """Create a request in a public category from the spec's form fields: service_code,
    lat, long, address_string, description, attribute[code]."""
    data = _report_of(await request.form())
    event = await service.report(actor=claims_of(request), data=data)
    return [{"service_request_id": str(event.id)}]


def _report_of(form: FormMultiDict) -> ReportIn:
    """The form as a native report, through the same constraints."""
    category = PUBLIC_CATEGORIES.get(_text(form, "service_code"))
    if category is None:
        raise BadRequest(
            "open311_service_unknown",
            errors=[FieldError(field="service_code", message="not a service in services.json")],
        )
    fields = {
        "category": category.code,
        "description": _text(form, "description") or "-",
        "lat": _text(form, "lat") or None,
        "lon": _text(form, "long") or None,
        "address": _text(form, "address_string"),
        "attributes": _attributes(category, form),
    }
    try:
        return msgspec.convert(fields, ReportIn, strict=False)
    except msgspec.ValidationError as err:
        raise BadRequest("validation_failed", errors=[_form_error(str(err))]) from err


def _text(form: FormMultiDict, name: str) -> str:
    value = form.get(name, "")
    if not isinstance(value, str):  # a file where text belongs
        raise BadRequest("validation_failed", errors=[FieldError(field=name, message="text")])
    return value


def _attributes(category: Category, form: FormMultiDict) -> dict[str, Any]:
    """`attribute[code]` fields (`attribute[code][]` for a list), typed as the category
    declares them; what does not fit is left as sent for the report's own check to refuse."""
    kinds = {a.name: a.kind for a in category.attributes}
    values: dict[str, Any] = {}
    for key in form:
        if not (key.startswith("attribute[") and key.endswith("]")):
            continue
        name = key[len("attribute[") : -1].removesuffix("][")
        raw = [_text(form, key)] if not key.endswith("[]") else form.getall(key)
        values[name] = _attribute_value(kinds.get(name), raw)
    return values


def _attribute_value(kind: AttributeKind | None, raw: list[Any]) -> Any:
    if kind is AttributeKind.MULTI:
        return raw
    value = raw[-1] if raw else ""
    if kind is AttributeKind.NUMBER:
        try:
            return msgspec.convert(value, FormNumber, strict=False)
        except msgspec.ValidationError:
            return value
    return value


def _form_error(text: str) -> FieldError:
    match = ERROR_PATH.match(text)
    if match is None:
        return FieldError(field="", message=text)
    field = match["field"]
    return FieldError(field=FORM_FIELDS.get(field, field), message=match["message"])


def _window(
    start_date: dt.datetime | None, end_date: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    """The span asked for, in UTC; the spec's 90 days before `end_date` (or now) by default."""
    end = dt.datetime.now(dt.UTC) if end_date is None else _utc(end_date, field="end_date")
    if start_date is not None:
        start = _utc(start_date, field="start_date")
    else:
        start = _shifted(end, -DEFAULT_WINDOW, field="end_date")
    if start_date is not None and end_date is not None and start > end:
        raise BadRequest(
            "open311_dates_reversed",
            errors=[FieldError(field="start_date", message="after end_date")],
        )
    return start, end


def _utc(value: dt.datetime, *, field: str) -> dt.datetime:
    require_aware(value, field=field)
    return _shifted(value, dt.timedelta(0), field=field)


def _shifted(value: dt.datetime, by: dt.timedelta, *, field: str) -> dt.datetime:
    # Near year 1 or 9999 the move to UTC, or the 90 days back, leaves what Python holds.
    try:
        return value.astimezone(dt.UTC) + by
    except OverflowError as err:
        raise BadRequest(
            "open311_date_out_of_range",
            errors=[FieldError(field=field, message="out of range")],
        ) from err


async def _jurisdiction(enablement: Enablement, value: str | None) -> str | None:
    """The jurisdiction's path, checked as an org path: never a pattern."""
    if not value:
        return None
    path = value.strip("/")
    if not is_valid(path) or level_of(path) not in (Level.CITY, Level.DISTRICT):
        raise BadRequest(
            "open311_jurisdiction_invalid",
            errors=[FieldError(field="jurisdiction_id", message="e.g. zz/gx")],
        )
    if await unit_at(path) is None:
        raise NotFound("open311_jurisdiction_unknown")
    require_on_at(enablement, path)
    return path


def _service_codes(value: str | None) -> list[str]:
    """The public codes asked for; every public one when none is."""
    if not value:
        return list(PUBLIC_CATEGORIES)
    codes = set(value.split(","))
    unknown = codes - PUBLIC_CATEGORIES.keys()
    if unknown:
        raise BadRequest(
            "open311_service_unknown",
            errors=[FieldError(field="service_code", message="not a service in services.json")],
        )
    return sorted(codes)


def _request_ids(value: str | None) -> list[int] | None:
    if not value:
        return None
    ids = [_row_id(part) for part in value.split(",")]
    if len(ids) > MAX_IDS or None in ids:
        raise BadRequest(
            "open311_request_id_invalid",
            errors=[FieldError(field="service_request_id", message="1 to 100 ids")],
        )
    return [i for i in ids if i is not None]


def _row_id(text: str) -> int | None:
    if not ROW_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= ROW_ID_MAX else None


async def _find_requests(found: RequestFilter) -> list[dict[str, Any]]:
    where: Any = GridEvent.category.is_in(found.codes)
    if found.ids is not None:
        where &= GridEvent.id.is_in(found.ids)
    else:
        where &= (GridEvent.created_at >= found.start) & (GridEvent.created_at <= found.end)
        if found.status is not None:
            where &= _status_is(found.status)
    # Safe as a LIKE pattern: a valid org path holds neither `%` nor `_`.
    if found.jurisdiction is not None and level_of(found.jurisdiction) is not Level.CITY:
        where &= GridEvent.grid_path.like(found.jurisdiction + "/%")
    for district in found.districts_off:
        where &= (GridEvent.grid_path != district) & GridEvent.grid_path.not_like(district + "/%")
    rows: list[dict[str, Any]] = (
        await GridEvent.select()
        .where(where)
        .order_by(GridEvent.id, ascending=False)
        .limit(found.page_size)
        .offset((found.page - 1) * found.page_size)
    )
    return rows


def _status_is(status: Status) -> Any:
    if status is Status.OPEN:
        return GridEvent.state.is_in(OPEN_STATES)
    return GridEvent.state.not_in(OPEN_STATES)


def _published(row: dict[str, Any]) -> ServiceRequest:
    category = PUBLIC_CATEGORIES[row["category"]]
    return ServiceRequest(
        service_request_id=str(row["id"]),
        status=Status.OPEN if row["state"] in OPEN_STATES else Status.CLOSED,
        service_code=category.code,
        service_name=category.names["zh-CN"],
        requested_datetime=row["created_at"].isoformat(),
        updated_datetime=row["updated_at"].isoformat(),
        lat=_cell_centre(row["lat"], limit=90),
        long=_cell_centre(row["lon"], limit=180),
    )


def _cell_centre(degrees: float | None, *, limit: float) -> float | None:
    """The centre of the ~100 m cell that holds a coordinate; none for one that is no
    coordinate (rows stored before posts were checked may hold 999 or NaN)."""
    if degrees is None or not math.isfinite(degrees) or abs(degrees) > limit:
        return None
    return round((math.floor(degrees / CELL) + 0.5) * CELL, 4)


open311 = Router(
    path="/open311/v2",
    tags=["open311"],
    route_handlers=[services, service_definition, list_requests, get_request, create_request],
)
