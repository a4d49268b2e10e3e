"""Rows for devices, the inbox, push preferences and the operators' delivery views: every
caller manages only their own devices and inbox; another's is not found."""

from __future__ import annotations

import secrets

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

ROWS = [
    Row("POST", "/v1/devices", NOTHING, {"-": each(SIGNED_IN, 201)}, _new_device),
    Row("GET", "/v1/devices", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
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
        "/v1/admin/notifications/{notification_id:int}/failures",
        {"a notification": _notification},
        PLATFORM_ONLY,
        path_ids(notification_id="id"),
    ),
]
