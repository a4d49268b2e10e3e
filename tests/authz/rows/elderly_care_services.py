"""Rows for home care services. The admins over a community keep its catalogue, its slots
and its elders' allowances; anyone signed in reads the catalogue and slots. The elder's
side (the elder and their accepted circle) books, cancels and rates; the provider (a
merchant) and the community's admins confirm, start and finish, and cancel with a
reason; whoever sees the elder reads their bookings and allowance. To anyone else the
elder and the booking are not found."""

from __future__ import annotations

import datetime as dt

from miniapps.elderly_care.tables import Booking, CareService, CareSlot, Subsidy
from tests.authz.city import City
from tests.authz.matrix import (
    ADMINS_ABOVE_G07,
    C03,
    SIGNED_IN,
    Caller,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    path_ids,
)
from tests.authz.rows.elderly_care import APP, STAFF_OF_G07, _afresh, _elder_with_family

SEES_THE_ELDER = (Caller.RESIDENT, Caller.FAMILY, *STAFF_OF_G07)
ELDER_SIDE = (Caller.RESIDENT, Caller.FAMILY)
# They see the elder, but are neither the elder's side nor the provider.
WORKERS = (Caller.WORKER_G07, Caller.CARE)
PROVIDERS = (Caller.MERCHANT, *ADMINS_ABOVE_G07)
BOOKING = f"{APP}/bookings/{{booking_id:int}}"


async def _tidy(city: City) -> None:
    for table in (Booking, CareSlot, CareService, Subsidy):
        await table.delete(force=True)
    await _afresh()


async def _booked(city: City, caller: Caller, status: str = "requested") -> Target:
    """The g07 elder with their family member, a free service of c03 given by the merchant,
    a slot of it tomorrow, and the elder's booking of it in `status`."""
    await _tidy(city)
    target = await _elder_with_family(city, caller)
    [service] = await CareService.insert(
        CareService(
            community_path=C03,
            kind="meals",
            name="助餐",
            provider_id=city.ids[Caller.MERCHANT],
            price_fen=0,
            minutes=30,
            created_by=city.ids[Caller.ADMIN_C03],
        )
    )
    now = dt.datetime.now(dt.UTC)
    [slot] = await CareSlot.insert(
        CareSlot(service_id=service["id"], starts_at=now + dt.timedelta(days=1), capacity=50)
    )
    [booking] = await Booking.insert(
        Booking(
            elder_id=target.ids["elder_id"],
            service_id=service["id"],
            slot_id=slot["id"],
            status=status,
            booked_by=city.ids[Caller.RESIDENT],
            price_fen=0,
            subsidy_fen=0,
            charge_fen=0,
            payment="none",
            subsidy_month=now.strftime("%Y-%m"),
            booked_at=now,
        )
    )
    await CareSlot.update({CareSlot.booked: 1}).where(CareSlot.id == slot["id"])
    ids = {"service_id": service["id"], "slot_id": slot["id"], "booking_id": booking["id"]}
    return Target(path=target.path, owner=Caller.RESIDENT, ids={**target.ids, **ids})


async def _confirmed(city: City, caller: Caller) -> Target:
    return await _booked(city, caller, "confirmed")


async def _in_service(city: City, caller: Caller) -> Target:
    return await _booked(city, caller, "in_service")


async def _done(city: City, caller: Caller) -> Target:
    return await _booked(city, caller, "done")


async def _new_service(city: City, target: Target, caller: Caller) -> Req:
    body = {
        "community": C03,
        "kind": "cleaning",
        "name": "助洁",
        "provider_id": city.ids[Caller.MERCHANT],
        "price_fen": 2000,
        "minutes": 60,
    }
    return Req(json=body)


async def _new_slot(city: City, target: Target, caller: Caller) -> Req:
    at = dt.datetime.now(dt.UTC) + dt.timedelta(days=2, minutes=city.number())
    return Req(
        path_params={"service_id": target.ids["service_id"]},
        json={"starts_at": at.isoformat(), "capacity": 5},
    )


async def _community(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"community": C03})


async def _allowance(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"elder_id": target.ids["elder_id"]}, json={"monthly_fen": 10_000})


async def _booking_of_the_slot(city: City, target: Target, caller: Caller) -> Req:
    # The fixture's booking was cancelled so that the elder may book the slot again.
    await Booking.update({Booking.status: "cancelled"}).where(
        Booking.id == target.ids["booking_id"]
    )
    return Req(
        path_params={"elder_id": target.ids["elder_id"]}, json={"slot_id": target.ids["slot_id"]}
    )


async def _with_reason(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"booking_id": target.ids["booking_id"]}, json={"reason": "护理员病假"})


async def _stars(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"booking_id": target.ids["booking_id"]}, json={"stars": 4})


def _row(
    method: str,
    path: str,
    fixture: TargetMaker,
    expect: dict[Caller, int],
    request: RequestMaker,
    *,
    denied: int = 404,
) -> Row:
    return Row(method, path, {"-": fixture}, {"-": expect}, request, denied=denied, after=_tidy)


ROWS = [
    _row("POST", f"{APP}/services", _booked, each(ADMINS_ABOVE_G07, 201), _new_service, denied=403),
    _row("GET", f"{APP}/services", _booked, each(SIGNED_IN, 200), _community),
    _row(
        "POST",
        f"{APP}/services/{{service_id:int}}/slots",
        _booked,
        each(ADMINS_ABOVE_G07, 201),
        _new_slot,
        denied=403,
    ),
    _row(
        "GET",
        f"{APP}/services/{{service_id:int}}/slots",
        _booked,
        each(SIGNED_IN, 200),
        path_ids("service_id"),
    ),
    _row(
        "GET",
        f"{APP}/services/{{service_id:int}}/bookings",
        _booked,
        each(PROVIDERS, 200),
        path_ids("service_id"),
        denied=403,
    ),
    _row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}/subsidy",
        _booked,
        each(SEES_THE_ELDER, 200),
        path_ids("elder_id"),
    ),
    _row(
        "PUT",
        f"{APP}/elders/{{elder_id:int}}/subsidy",
        _booked,
        {**each(ADMINS_ABOVE_G07, 200), **each((*ELDER_SIDE, *WORKERS), 403)},
        _allowance,
    ),
    _row(
        "POST",
        f"{APP}/elders/{{elder_id:int}}/bookings",
        _booked,
        {**each(ELDER_SIDE, 201), **each(STAFF_OF_G07, 403)},
        _booking_of_the_slot,
    ),
    _row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}/bookings",
        _booked,
        each(SEES_THE_ELDER, 200),
        path_ids("elder_id"),
    ),
    _row(
        "GET",
        BOOKING,
        _booked,
        each((*SEES_THE_ELDER, Caller.MERCHANT), 200),
        path_ids("booking_id"),
    ),
    *(
        _row(
            "POST",
            f"{BOOKING}/{action}",
            fixture,
            {**each(PROVIDERS, 200), **each((*ELDER_SIDE, *WORKERS), 403), Caller.MERCHANT: 200},
            path_ids("booking_id"),
        )
        for action, fixture in (
            ("confirm", _booked),
            ("start", _confirmed),
            ("finish", _in_service),
        )
    ),
    _row(
        "POST",
        f"{BOOKING}/cancel",
        _booked,
        {**each((*ELDER_SIDE, *PROVIDERS), 200), **each(WORKERS, 403)},
        _with_reason,
    ),
    _row(
        "POST",
        f"{BOOKING}/rate",
        _done,
        {**each(ELDER_SIDE, 200), **each((*WORKERS, *ADMINS_ABOVE_G07), 403), Caller.MERCHANT: 403},
        _stars,
    ),
]
