"""What Open311 publishes, and the reads that find it: public categories only, a place no
finer than its ~100 m cell, nothing a reporter wrote and nobody's name or id."""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Any

import msgspec

from miniapps.grid_events.catalogue import CATEGORIES, AttributeKind, Category
from miniapps.grid_events.states import FINISHED, UNFINISHED
from miniapps.grid_events.tables import GridEvent

PUBLIC_CATEGORIES = {code: c for code, c in CATEGORIES.items() if c.public}
DATATYPES = {
    AttributeKind.STRING: "string",
    AttributeKind.NUMBER: "number",
    AttributeKind.DATE: "datetime",
    AttributeKind.CHOICE: "singlevaluelist",
    AttributeKind.MULTI: "multivaluelist",
}
CELL = 0.001  # degrees: ~111 m of latitude, ~91 m of longitude in Zhengzhou


class RequestStatus(enum.StrEnum):
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
    """A checked `requests.json` query; `ids`, when given, override the other filters."""

    districts_off: frozenset[str]
    jurisdiction: str | None  # a district's path; None for the whole city
    ids: list[int] | None
    codes: list[str]
    status: RequestStatus | None
    start: dt.datetime
    end: dt.datetime
    page: int
    page_size: int


def service_of(category: Category) -> Service:
    return Service(
        service_code=category.code,
        service_name=category.names["zh-CN"],
        description=category.names.get("en", ""),
        metadata=bool(category.attributes),
        type="realtime",
        keywords=category.code,
        group="grid",
    )


def definition_of(category: Category) -> dict[str, Any]:
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


async def find_requests(*, found: RequestFilter) -> list[ServiceRequest]:
    """The public requests a checked query asks for, newest first."""
    where: Any = GridEvent.category.is_in(list(PUBLIC_CATEGORIES))
    if found.ids is not None:
        where &= GridEvent.id.is_in(found.ids)
    else:
        where &= _matching(found)
    for district in found.districts_off:
        where &= (GridEvent.grid_path != district) & GridEvent.grid_path.not_like(district + "/%")
    rows = (
        await GridEvent.select()
        .where(where)
        .order_by(GridEvent.id, ascending=False)
        .limit(found.page_size)
        .offset((found.page - 1) * found.page_size)
    )
    return [_published(row) for row in rows]


def _matching(found: RequestFilter) -> Any:
    where: Any = GridEvent.category.is_in(found.codes)
    where &= (GridEvent.created_at >= found.start) & (GridEvent.created_at <= found.end)
    if found.status is RequestStatus.OPEN:
        where &= GridEvent.state.is_in(list(UNFINISHED))
    elif found.status is RequestStatus.CLOSED:
        where &= GridEvent.state.is_in(list(FINISHED))
    # Safe as a LIKE pattern: a valid org path holds neither `%` nor `_`.
    if found.jurisdiction is not None:
        where &= GridEvent.grid_path.like(found.jurisdiction + "/%")
    return where


async def public_request(*, request_id: int) -> tuple[str, ServiceRequest] | None:
    """A public request and the grid it lies in (for the district switch), if there is one."""
    row = (
        await GridEvent.select()
        .where((GridEvent.id == request_id) & GridEvent.category.is_in(list(PUBLIC_CATEGORIES)))
        .first()
    )
    return None if row is None else (str(row["grid_path"]), _published(row))


def _published(row: dict[str, Any]) -> ServiceRequest:
    category = PUBLIC_CATEGORIES[row["category"]]
    return ServiceRequest(
        service_request_id=str(row["id"]),
        status=RequestStatus.OPEN if row["state"] in UNFINISHED else RequestStatus.CLOSED,
        service_code=category.code,
        service_name=category.names["zh-CN"],
        requested_datetime=row["created_at"].isoformat(),
        updated_datetime=row["updated_at"].isoformat(),
        lat=cell_centre(row["lat"], limit=90),
        long=cell_centre(row["lon"], limit=180),
    )


def cell_centre(degrees: float | None, *, limit: float) -> float | None:
    """The centre of the ~100 m cell that holds a coordinate; none for one that is no
    coordinate (rows stored before posts were checked may hold 999 or NaN)."""
    if degrees is None or not math.isfinite(degrees) or abs(degrees) > limit:
        return None
    return round((math.floor(degrees / CELL) + 0.5) * CELL, 4)
