"""Rows for the devices in an elder's home. Care staff over the elder's grid enrol and
retire them; whoever sees the elder lists them; to anyone else the elder is not found. A
reading is signed by its device: its signature is the only credential."""

from __future__ import annotations

import datetime as dt
import secrets
import time

from backend.sdk import body_signature
from miniapps.elderly_care import devices
from miniapps.elderly_care.tables import Device, DeviceReading
from tests.authz.city import City
from tests.authz.matrix import Caller, Req, Row, Target, each, path_ids
from tests.authz.rows.elderly_care import APP, STAFF_OF_G07, _afresh, _elder_with_family

DEVICES = f"{APP}/elders/{{elder_id:int}}/devices"
SEES_THE_ELDER = (Caller.RESIDENT, Caller.FAMILY, *STAFF_OF_G07)


async def _tidy(city: City) -> None:
    await DeviceReading.delete(force=True)
    await Device.delete(force=True)
    await _afresh()


async def _elder_with_a_device(city: City, caller: Caller, *, secret: str | None = None) -> Target:
    """The g07 elder, their family member in the circle, and a fall detector at home."""
    await _tidy(city)
    target = await _elder_with_family(city, caller)
    device, key = f"authz-fall-{city.number()}", secrets.token_urlsafe(16)
    now = dt.datetime.now(dt.UTC)
    await Device.insert(
        Device(
            device=device,
            elder_id=target.ids["elder_id"],
            kind="fall_detector",
            secret_sealed=city.vault.seal(key, purpose=devices.SEAL),
            enrolled_by=city.ids[Caller.CARE],
            enrolled_at=now,
            silent_due_at=now + devices.SILENT_AFTER,
        )
    )
    return Target(
        path=target.path,
        owner=Caller.RESIDENT,
        ids={**target.ids, "device": device, "secret": secret or key},
    )


async def _signed_with_another_key(city: City, caller: Caller) -> Target:
    return await _elder_with_a_device(city, caller, secret="not-the-devices-secret")


async def _new_device(city: City, target: Target, caller: Caller) -> Req:
    body = {"device": f"authz-door-{city.number()}", "kind": "door_sensor"}
    return Req(path_params={"elder_id": target.ids["elder_id"]}, json=body)


async def _heartbeat(city: City, target: Target, caller: Caller) -> Req:
    body = f'{{"event_id": "e-{city.number()}", "type": "heartbeat"}}'.encode()
    stamp = str(int(time.time()))
    return Req(
        path_params={"device": target.ids["device"]},
        content=body,
        headers={
            "X-Yimen-Timestamp": stamp,
            "X-Yimen-Signature": body_signature(target.ids["secret"].encode(), stamp, body),
        },
    )


ROWS = [
    Row(
        "POST",
        DEVICES,
        {"the g07 elder": _elder_with_family},
        {
            "the g07 elder": {
                **each(STAFF_OF_G07, 201),
                **each((Caller.RESIDENT, Caller.FAMILY), 403),
            }
        },
        _new_device,
        denied=404,
        after=_tidy,
    ),
    Row(
        "GET",
        DEVICES,
        {"the g07 elder": _elder_with_a_device},
        {"the g07 elder": each(SEES_THE_ELDER, 200)},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    Row(
        "DELETE",
        f"{DEVICES}/{{device:str}}",
        {"the g07 elder's fall detector": _elder_with_a_device},
        {
            "the g07 elder's fall detector": {
                **each(STAFF_OF_G07, 204),
                **each((Caller.RESIDENT, Caller.FAMILY), 403),
            }
        },
        path_ids("elder_id", "device"),
        denied=404,
        after=_tidy,
    ),
    Row(
        "POST",
        f"{APP}/devices/{{device:str}}/readings",
        {
            "signed by the device": _elder_with_a_device,
            "signed with another key": _signed_with_another_key,
        },
        {"signed by the device": each(tuple(Caller), 200)},
        _heartbeat,
        denied=401,
        after=_tidy,
    ),
]
