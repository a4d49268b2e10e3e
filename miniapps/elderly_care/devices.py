"""Home devices (居家安全设备): enrolled in an elder's home by care staff over their grid,
each with a secret of its own to sign its readings with. What a device's kind sends, and
how long a home may stay quiet before someone goes to look, is fixed here."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import (
    Conflict,
    Forbidden,
    NotFound,
    Unprocessable,
    Vault,
    fetch_rows,
    unit_of_work,
)
from miniapps.elderly_care.device_schemas import (
    HomeDeviceEnrolled,
    HomeDeviceIn,
    HomeDeviceKind,
    HomeDeviceList,
    HomeDeviceView,
    HomeReadingType,
)
from miniapps.elderly_care.elders import Seen
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import OPEN_ALARM

SEAL = "elderly_care.device"
# A device that sends nothing, not even a heartbeat, for this long is flagged as silent.
SILENT_AFTER = dt.timedelta(hours=24)


class KindRule(msgspec.Struct, frozen=True):
    sends: frozenset[HomeReadingType]
    # Hours without a sign of life before an alert; None for a kind that has no such rule
    # (a home's fridge draws power whether or not anyone is in).
    quiet_hours: int | None = None


KIND_RULES = {
    HomeDeviceKind.FALL_DETECTOR: KindRule(
        frozenset({HomeReadingType.FALL, HomeReadingType.HEARTBEAT})
    ),
    HomeDeviceKind.SMOKE_ALARM: KindRule(
        frozenset({HomeReadingType.SMOKE, HomeReadingType.HEARTBEAT})
    ),
    HomeDeviceKind.DOOR_SENSOR: KindRule(
        frozenset({HomeReadingType.DOOR_OPEN, HomeReadingType.HEARTBEAT}), quiet_hours=36
    ),
    HomeDeviceKind.WATER_METER: KindRule(
        frozenset({HomeReadingType.WATER_USE, HomeReadingType.HEARTBEAT}), quiet_hours=24
    ),
    HomeDeviceKind.ELECTRICITY_METER: KindRule(
        frozenset({HomeReadingType.POWER_USE, HomeReadingType.HEARTBEAT})
    ),
}
AT_ONCE = frozenset({HomeReadingType.FALL, HomeReadingType.SMOKE})
SIGNS_OF_LIFE = frozenset(
    {HomeReadingType.DOOR_OPEN, HomeReadingType.WATER_USE, HomeReadingType.POWER_USE}
)


def quiet_hours_of(device: Mapping[str, Any]) -> int | None:
    chosen = device["quiet_hours"]
    return (
        int(chosen)
        if chosen is not None
        else KIND_RULES[HomeDeviceKind(device["kind"])].quiet_hours
    )


async def enrol_device(
    *, actor_id: int, seen: Seen, data: HomeDeviceIn, vault: Vault, care: CareRuntime
) -> HomeDeviceEnrolled:
    """Enrol a device in the elder's home, by care staff over their grid, with a new secret
    (shown to the installer once); a serial already enrolled is a 409 and keeps its own."""
    if not seen.staff:
        raise Forbidden(CareProblem.CARE_STAFF_ONLY)
    rule = KIND_RULES[data.kind]
    if data.quiet_hours is not None and rule.quiet_hours is None:
        raise Unprocessable(CareProblem.QUIET_NOT_FOR_KIND)
    hours = data.quiet_hours or rule.quiet_hours
    now = care.clock()
    secret = secrets.token_urlsafe(32)
    rows = await fetch_rows(
        "INSERT INTO elderly_care_device (device, elder_id, kind, secret_sealed, quiet_hours,"
        " enrolled_by, enrolled_at, quiet_due_at, silent_due_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (device) DO NOTHING RETURNING id",
        data.device,
        seen.id,
        data.kind.value,
        vault.seal(secret, purpose=SEAL),
        data.quiet_hours,
        actor_id,
        now,
        now + dt.timedelta(hours=hours) if hours else None,
        now + SILENT_AFTER,
    )
    if not rows:
        raise Conflict(CareProblem.DEVICE_EXISTS)
    return HomeDeviceEnrolled(device=data.device, kind=data.kind, secret=secret)


async def devices_of(seen: Seen, care: CareRuntime) -> HomeDeviceList:
    """The devices in the elder's home, for whoever sees the elder."""
    rows = await fetch_rows(
        "SELECT d.*, a.status AS alarm_status FROM elderly_care_device d"
        " LEFT JOIN elderly_care_alarm a ON a.id = d.open_alarm_id"
        " WHERE d.elder_id = $1 ORDER BY d.id",
        seen.id,
    )
    still_open = {s.value for s in OPEN_ALARM}
    now = care.clock()
    return HomeDeviceList(
        items=[
            HomeDeviceView(
                device=str(row["device"]),
                kind=HomeDeviceKind(row["kind"]),
                enrolled_at=row["enrolled_at"],
                last_seen_at=row["last_seen_at"],
                last_activity_at=row["last_activity_at"],
                quiet_hours=quiet_hours_of(row),
                silent=row["silent_due_at"] <= now,
                open_alarm_id=row["open_alarm_id"] if row["alarm_status"] in still_open else None,
            )
            for row in rows
        ]
    )


async def retire_device(*, seen: Seen, device: str) -> None:
    """Take a device out of the elder's home, by care staff: its readings go with it, and
    it signs nothing more. Its alarms stay on the elder's record."""
    if not seen.staff:
        raise Forbidden(CareProblem.CARE_STAFF_ONLY)
    async with unit_of_work():
        rows = await fetch_rows(
            "DELETE FROM elderly_care_device WHERE device = $1 AND elder_id = $2 RETURNING id",
            device,
            seen.id,
        )
        if not rows:
            raise NotFound(CareProblem.DEVICE_NOT_FOUND)
        await fetch_rows(
            "DELETE FROM elderly_care_device_reading WHERE device_id = $1", rows[0]["id"]
        )
