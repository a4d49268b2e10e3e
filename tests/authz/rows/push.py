"""Rows for devices, the inbox, push preferences and the operators' delivery views: every
caller manages only their own devices and inbox; another's is not found."""

from __future__ import annotations

import secrets

import httpx

from push.fanout import Status
from push.tables import Delivery
from tests.authz.city import City
from tests.authz.matrix import (
    DEMO,
    NOTHING,
    SIGNED_IN,
    Caller,
    Outcome,
    Req,
    Row,
    Target,
    TargetMaker,
    each,
    no_request,
    path_ids,
    per_caller,
)

MINE_OR_RESIDENTS = ("the caller's own", "the g07 resident's")


def _owned(kind: str) -> dict[str, TargetMaker]:
    """The caller's own device or inbox item, and the g07 resident's."""

    async def build(city: City, owner: Caller) -> Target:
        made = await (city.device(owner) if kind == "device" else city.inbox_item(owner))
        return Target(owner=owner, path=DEMO[owner][1], ids={"id": made})

    @per_caller
    async def own(city: City, caller: Caller) -> Target:
        return await build(city, Caller.RESIDENT if caller is Caller.ANONYMOUS else caller)

    async def residents(city: City, caller: Caller) -> Target:
        return await build(city, Caller.RESIDENT)

    return dict(zip(MINE_OR_RESIDENTS, (own, residents), strict=True))


def _only_owner(status: int) -> dict[str, dict[Caller, Outcome]]:
    return {
        MINE_OR_RESIDENTS[0]: each(SIGNED_IN, status),
        MINE_OR_RESIDENTS[1]: {Caller.RESIDENT: status},
    }


async def _new_device(city: City, target: Target, caller: Caller) -> Req:
    return Req(json={"address": f"fcm-{secrets.token_hex(12)}", "platform": "android"})


async def _notification(city: City, caller: Caller) -> Target:
    return Target(owner=Caller.RESIDENT, ids={"id": await city.notification(Caller.RESIDENT)})


async def _preferences(city: City, target: Target, caller: Caller) -> Req:
    return Req(json={"quiet_hours": {"start": "22:00", "end": "07:00"}, "muted_categories": []})


PLATFORM_ONLY = {"a notification": {Caller.PLATFORM: 200}}
FAILURES = "/v1/admin/notifications/{notification_id:int}/failures"


@per_caller
async def _devices_beside_anothers(city: City, caller: Caller) -> Target:
    """Two devices of the caller's, and one of someone else's registered between them."""
    owner = Caller.RESIDENT if caller is Caller.ANONYMOUS else caller
    other = Caller.WORKER_G07 if owner is Caller.RESIDENT else Caller.RESIDENT
    mine = [await city.device(owner)]
    theirs = [await city.device(other)]
    mine.append(await city.device(owner))
    return Target(owner=owner, path=DEMO[owner][1], ids={"mine": mine, "theirs": theirs})


async def _a_device_a_page(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"limit": 1})


async def _only_own_devices(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    """Every page, through its cursor, shows the caller's devices and nobody else's."""
    items = await city.pages(caller, "/v1/devices", Req(params={"limit": 1}), response)
    if isinstance(items, str):
        return items
    shown = [d["id"] for d in items]
    if len(shown) != len(set(shown)) or not set(target.ids["mine"]) <= set(shown):
        return f"the pages show {shown}, not each of {target.ids['mine']} once"
    leaked = set(shown) & set(target.ids["theirs"])
    return f"the pages show another's devices: {leaked}" if leaked else None


async def _notification_with_failures(city: City, caller: Caller) -> Target:
    """A notification whose deliveries to three devices failed or stayed unconfirmed."""
    notification = await city.notification(Caller.RESIDENT)
    failed = []
    for status in (Status.FAILED, Status.UNCONFIRMED, Status.FAILED):
        rows = await Delivery.insert(
            Delivery(
                notification_id=notification,
                user_id=city.ids[Caller.RESIDENT],
                status=status,
                error="UnregisteredError",
            )
        ).returning(Delivery.id)
        failed.append(int(rows[0]["id"]))
    return Target(owner=Caller.RESIDENT, ids={"id": notification, "failed": failed})


async def _failures_a_page(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"notification_id": target.ids["id"]}, params={"limit": 1})


async def _every_failure_once(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    req = await _failures_a_page(city, target, caller)
    items = await city.pages(caller, FAILURES, req, response)
    if isinstance(items, str):
        return items
    shown = [f["delivery_id"] for f in items]
    return None if shown == target.ids["failed"] else f"the pages show {shown}"


ROWS = [
    Row("POST", "/v1/devices", NOTHING, {"-": each(SIGNED_IN, 201)}, _new_device),
    Row(
        "GET",
        "/v1/devices",
        {"the caller's devices beside another's": _devices_beside_anothers},
        {"the caller's devices beside another's": each(SIGNED_IN, 200)},
        _a_device_a_page,
        check=_only_own_devices,
    ),
    Row(
        "DELETE",
        "/v1/devices/{device_id:int}",
        _owned("device"),
        _only_owner(204),
        path_ids(device_id="id"),
        denied=404,
    ),
    Row("GET", "/v1/inbox", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "POST",
        "/v1/inbox/{item_id:int}/read",
        _owned("inbox"),
        _only_owner(204),
        path_ids(item_id="id"),
        denied=404,
    ),
    Row("POST", "/v1/inbox/read-all", NOTHING, {"-": each(SIGNED_IN, 204)}, no_request),
    Row("GET", "/v1/push/preferences", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row("PUT", "/v1/push/preferences", NOTHING, {"-": each(SIGNED_IN, 200)}, _preferences),
    Row(
        "GET",
        "/v1/admin/notifications/{notification_id:int}/deliveries",
        {"a notification": _notification},
        PLATFORM_ONLY,
        path_ids(notification_id="id"),
    ),
    Row(
        "GET",
        FAILURES,
        {"a notification": _notification_with_failures},
        PLATFORM_ONLY,
        _failures_a_page,
        check=_every_failure_once,
    ),
]
