"""Open311's reads: each takes a query's values as sent, checks them (`filters`), and reads
only what may be published (`published`). The policy is in the package docstring."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from backend.sdk import Enablement, KernelCode, NotFound, is_within
from miniapps.grid_events.open311 import filters
from miniapps.grid_events.open311.published import (
    PUBLIC_CATEGORIES,
    RequestStatus,
    Service,
    ServiceRequest,
    definition_of,
    published,
    service_of,
)
from miniapps.grid_events.states import FINISHED, UNFINISHED
from miniapps.grid_events.switches import districts_off, require_on_at
from miniapps.grid_events.tables import GridEvent


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


async def list_services(*, enablement: Enablement, jurisdiction_id: str | None) -> list[Service]:
    """Every public event category as an Open311 service."""
    districts_off(enablement)
    await filters.jurisdiction(enablement, jurisdiction_id)
    return [service_of(c) for c in PUBLIC_CATEGORIES.values()]


async def define_service(
    *, enablement: Enablement, name: str, jurisdiction_id: str | None
) -> dict[str, Any]:
    """A public service's attributes (`name` is `{code}.json`); a private or unknown code
    is not found."""
    districts_off(enablement)
    await filters.jurisdiction(enablement, jurisdiction_id)
    category = PUBLIC_CATEGORIES.get(filters.json_name(name))
    if category is None:
        raise NotFound(KernelCode.NOT_FOUND)
    return definition_of(category)


async def find_requests(
    *,
    enablement: Enablement,
    jurisdiction_id: str | None,
    service_request_id: str | None,
    service_code: str | None,
    status: RequestStatus | None,
    start_date: dt.datetime | None,
    end_date: dt.datetime | None,
    page: int,
    page_size: int,
) -> list[ServiceRequest]:
    """The public requests a `requests.json` query asks for, newest first, each filter
    checked before any reaches the database."""
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
    return await _matching_requests(found)


async def _matching_requests(found: RequestFilter) -> list[ServiceRequest]:
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
    return [published(row) for row in rows]


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


async def find_request(
    *, enablement: Enablement, name: str, jurisdiction_id: str | None
) -> ServiceRequest:
    """One public request (`name` is `{id}.json`), in the jurisdiction if one is named; a
    private, unknown or impossible id, or one in a district switched off, is not found."""
    districts_off(enablement)
    district = await filters.jurisdiction(enablement, jurisdiction_id)
    row_id = filters.row_id(filters.json_name(name))
    row = None if row_id is None else await _public_row(row_id)
    if row is None or (district is not None and not is_within(row["grid_path"], district)):
        raise NotFound(KernelCode.NOT_FOUND)
    require_on_at(enablement, row["grid_path"])
    return published(row)


async def _public_row(request_id: int) -> dict[str, Any] | None:
    return (
        await GridEvent.select()
        .where((GridEvent.id == request_id) & GridEvent.category.is_in(list(PUBLIC_CATEGORIES)))
        .first()
    )
