"""What Open311 publishes: public categories only, a place no finer than its ~100 m cell,
nothing a reporter wrote and nobody's name or id."""

from __future__ import annotations

import enum
import math
from typing import Any

import msgspec

from miniapps.grid_events.catalogue import CATEGORIES, AttributeKind, Category
from miniapps.grid_events.states import UNFINISHED

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


def published(row: dict[str, Any]) -> ServiceRequest:
    """An event's row as anyone may read it; the row must be of a public category."""
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
