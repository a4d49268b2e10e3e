"""A community's catalogue of home care services (居家养老服务): meals, cleaning, bathing,
medical visits, companionship, each given by a provider (a merchant, who is paid) at a
price in fen, in time slots the community's admins open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    NotFound,
    Role,
    Unprocessable,
    fetch_rows,
    people,
    scopes_held,
)
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.rules import check_community_admin
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import Worker
from miniapps.elderly_care.service_schemas import (
    CareServiceIn,
    CareServiceList,
    CareServiceView,
    ServiceKind,
    SlotIn,
    SlotList,
    SlotView,
)

SLOTS_AHEAD = dt.timedelta(days=366)  # slots are opened up to a year ahead
SLOTS_SHOWN = 200  # the soonest slots of a service; more are opened as these pass


async def add_service(*, actor: Claims, service: CareServiceIn, care: CareRuntime) -> int:
    """A new service of the community's catalogue, by its admins; its provider must hold
    the merchant role, so that what it costs can be paid to them."""
    await check_community_admin(actor, service.community)
    if not await scopes_held(service.provider_id, Role.MERCHANT):
        raise Unprocessable(CareProblem.PROVIDER_NOT_MERCHANT)
    rows = await fetch_rows(
        "INSERT INTO elderly_care_service (community_path, kind, name, provider_id, price_fen,"
        " minutes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        service.community,
        service.kind.value,
        service.name,
        service.provider_id,
        service.price_fen,
        service.minutes,
        actor.user_id,
        care.clock(),
    )
    return int(rows[0]["id"])


async def services_in(community: str) -> CareServiceList:
    """The community's catalogue: for anyone signed in, as a shop's price list is."""
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_service WHERE community_path = $1 ORDER BY kind, id",
        community,
    )
    return CareServiceList(items=await service_views(rows))


async def service_row(service_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM elderly_care_service WHERE id = $1", service_id)
    if not rows:
        raise NotFound(CareProblem.SERVICE_NOT_FOUND)
    return rows[0]


async def service_views(rows: Sequence[Mapping[str, Any]]) -> list[CareServiceView]:
    named = await people({int(r["provider_id"]) for r in rows})
    return [
        CareServiceView(
            id=int(r["id"]),
            community=str(r["community_path"]),
            kind=ServiceKind(r["kind"]),
            name=str(r["name"]),
            provider=Worker(
                id=int(r["provider_id"]),
                name=named[int(r["provider_id"])].name if int(r["provider_id"]) in named else "",
            ),
            price_fen=int(r["price_fen"]),
            minutes=int(r["minutes"]),
        )
        for r in rows
    ]


async def open_slot(*, actor: Claims, service_id: int, slot: SlotIn, care: CareRuntime) -> SlotView:
    """A time the service can be booked for, by the community's admins: in the future, and
    one per service and start."""
    service = await service_row(service_id)
    await check_community_admin(actor, str(service["community_path"]))
    if slot.starts_at <= care.clock():
        raise Unprocessable(CareProblem.SLOT_IN_PAST)
    if slot.starts_at > care.clock() + SLOTS_AHEAD:
        raise Unprocessable(CareProblem.SLOT_TOO_FAR)
    rows = await fetch_rows(
        "INSERT INTO elderly_care_slot (service_id, starts_at, capacity, booked)"
        " VALUES ($1, $2, $3, 0) ON CONFLICT (service_id, starts_at) DO NOTHING RETURNING id",
        service_id,
        slot.starts_at.astimezone(dt.UTC),
        slot.capacity,
    )
    if not rows:
        raise Conflict(CareProblem.SLOT_EXISTS)
    return SlotView(
        id=int(rows[0]["id"]),
        service_id=service_id,
        starts_at=slot.starts_at,
        capacity=slot.capacity,
        left=slot.capacity,
    )


async def slots_of(service_id: int, care: CareRuntime) -> SlotList:
    """The service's slots still to come, soonest first, with the places left in each."""
    await service_row(service_id)
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_slot WHERE service_id = $1 AND starts_at > $2"
        " ORDER BY starts_at LIMIT $3",
        service_id,
        care.clock(),
        SLOTS_SHOWN,
    )
    return SlotList(
        items=[
            SlotView(
                id=int(r["id"]),
                service_id=service_id,
                starts_at=r["starts_at"],
                capacity=int(r["capacity"]),
                left=int(r["capacity"]) - int(r["booked"]),
            )
            for r in rows
        ]
    )
