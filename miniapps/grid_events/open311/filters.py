"""The filters of Open311's reads, checked before any reaches the database: each is a value
of a known kind or a 400 problem (a 404 for a name that names nothing), never a pattern and
never ignored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from litestar.params import Parameter

from backend.sdk import (
    ROW_ID_MAX,
    BadRequest,
    Enablement,
    FieldError,
    KernelCode,
    Level,
    NotFound,
    is_valid,
    level_of,
    require_aware,
    unit_at,
)
from miniapps.grid_events.open311.errors import Open311Code
from miniapps.grid_events.open311.published import PUBLIC_CATEGORIES
from miniapps.grid_events.switches import require_on_at

MAX_REQUESTS = 1000  # the spec's cap on one answer
MAX_IDS = 100
DEFAULT_WINDOW = dt.timedelta(days=90)  # the spec's default span
ROW_ID = re.compile(r"[1-9][0-9]{0,18}")  # canonical ASCII digits: one id, one spelling

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


def window(
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
            Open311Code.OPEN311_DATES_REVERSED,
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
            Open311Code.OPEN311_DATE_OUT_OF_RANGE,
            errors=[FieldError(field=field, message="out of range")],
        ) from err


async def jurisdiction(enablement: Enablement, value: str | None) -> str | None:
    """The district to search in (None for the whole city), checked as an org path that
    exists and where grid events are on."""
    if not value:
        return None
    path = value.strip("/")
    if not is_valid(path) or level_of(path) not in (Level.CITY, Level.DISTRICT):
        raise BadRequest(
            Open311Code.OPEN311_JURISDICTION_INVALID,
            errors=[FieldError(field="jurisdiction_id", message="e.g. zz/gx")],
        )
    if await unit_at(path) is None:
        raise NotFound(Open311Code.OPEN311_JURISDICTION_UNKNOWN)
    require_on_at(enablement, path)
    return None if level_of(path) is Level.CITY else path


def service_codes(value: str | None) -> list[str]:
    """The public codes asked for; every public one when none is."""
    if not value:
        return list(PUBLIC_CATEGORIES)
    codes = set(value.split(","))
    if codes - PUBLIC_CATEGORIES.keys():
        raise BadRequest(
            Open311Code.OPEN311_SERVICE_UNKNOWN,
            errors=[FieldError(field="service_code", message="not a service in services.json")],
        )
    return sorted(codes)


def request_ids(value: str | None) -> list[int] | None:
    if not value:
        return None
    ids = [row_id(part) for part in value.split(",")]
    if len(ids) > MAX_IDS or None in ids:
        raise BadRequest(
            Open311Code.OPEN311_REQUEST_ID_INVALID,
            errors=[FieldError(field="service_request_id", message="1 to 100 ids")],
        )
    return [i for i in ids if i is not None]


def json_name(name: str) -> str:
    """A code or id from a path that names it as a file, `{code}.json`; else not found."""
    if not name.endswith(".json"):
        raise NotFound(KernelCode.NOT_FOUND)
    return name.removesuffix(".json")


def row_id(text: str) -> int | None:
    """The id `text` spells, if a row could have it."""
    if not ROW_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= ROW_ID_MAX else None
