"""A home device's readings, signed by the device: a fall or smoke raises an alarm at once,
rung as an SOS is and with a grid event for the grid's worker; a sign of life (a door
opened, water or power used) moves on when the home counts as quiet, and ends an alarm the
quiet raised. Each reading is taken once by the device's own event id, so a device that
sends again, having heard no answer, raises nothing twice."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import (
    BadRequest,
    Enablement,
    FieldError,
    KernelCode,
    NotFound,
    Unauthorized,
    Unprocessable,
    Vault,
    body_signature,
    fetch_rows,
    placeholders,
    unit_of_work,
)
from miniapps.elderly_care.alarms import end_by_itself, raise_alarm, write_entry
from miniapps.elderly_care.cascade import plan_for, with_grid_event
from miniapps.elderly_care.device_schemas import HomeReadingIn, HomeReadingTaken, HomeReadingType
from miniapps.elderly_care.devices import (
    AT_ONCE,
    KIND_RULES,
    SEAL,
    SIGNS_OF_LIFE,
    SILENT_AFTER,
    quiet_hours_of,
)
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.rules import community_of, timing_for
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import OPEN_ALARM, AlarmAction, AlarmKind, AlarmOutcome

APP_ID = "elderly_care"
MAX_AGE = 300  # how old a reading may be, in seconds
MAX_AHEAD = 30  # how far ahead of our clock a device's may run
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() also reads '٣' and '²'
SIGNATURE = re.compile(r"[0-9a-f]{64}")


class Signed(msgspec.Struct, frozen=True, kw_only=True):
    """A reading as it came: the device's name, its headers and the bytes it signed."""

    device: str
    timestamp: str
    signature: str
    body: bytes


async def take_reading(
    signed: Signed, *, vault: Vault, enablement: Enablement, care: CareRuntime
) -> HomeReadingTaken:
    """Check the device's signature, then its clock, that elderly care serves the elder's
    home, and that the body is a reading its kind sends; only then take it."""
    device = await _signed_by(signed, vault)
    now = care.clock()
    # Compared as numbers first: a signed timestamp far enough ahead is past datetime's years.
    stamp = int(signed.timestamp)
    if stamp < now.timestamp() - MAX_AGE:
        raise Unauthorized(CareProblem.DEVICE_READING_STALE)
    if stamp > now.timestamp() + MAX_AHEAD:
        raise Unprocessable(CareProblem.DEVICE_CLOCK_AHEAD)
    read_at = dt.datetime.fromtimestamp(stamp, dt.UTC)
    elder = (
        await fetch_rows("SELECT * FROM elderly_care_elder WHERE id = $1", device["elder_id"])
    )[0]
    if not enablement.serves(APP_ID, str(elder["grid_path"])):
        raise NotFound(KernelCode.MINIAPP_UNAVAILABLE)
    reading = _decoded(signed.body)
    if reading.type not in KIND_RULES[device["kind"]].sends:
        raise Unprocessable(CareProblem.READING_NOT_FOR_DEVICE)
    async with unit_of_work():
        return await _take(care, device, elder, reading, read_at)


async def _signed_by(signed: Signed, vault: Vault) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM elderly_care_device WHERE device = $1", signed.device)
    if (
        not rows
        or not TIMESTAMP.fullmatch(signed.timestamp)
        or not SIGNATURE.fullmatch(signed.signature)
    ):
        raise Unauthorized(CareProblem.DEVICE_REFUSED)
    key = vault.open(str(rows[0]["secret_sealed"]), purpose=SEAL).encode()
    expected = body_signature(key, signed.timestamp, signed.body)
    if not hmac.compare_digest(expected, signed.signature):
        raise Unauthorized(CareProblem.DEVICE_REFUSED)
    return rows[0]


def _decoded(body: bytes) -> HomeReadingIn:
    try:
        return msgspec.json.decode(body, type=HomeReadingIn)
    except msgspec.ValidationError as err:  # signed, fresh, JSON, but not a reading
        culprit = FieldError(field="$", message=str(err))
        raise BadRequest(KernelCode.VALIDATION_FAILED, errors=[culprit]) from err
    except msgspec.DecodeError as err:
        culprit = FieldError(field="$", message=str(err))
        raise BadRequest(KernelCode.BODY_NOT_JSON, errors=[culprit]) from err


async def _take(
    care: CareRuntime,
    device: Mapping[str, Any],
    elder: Mapping[str, Any],
    reading: HomeReadingIn,
    read_at: dt.datetime,
) -> HomeReadingTaken:
    """Write the reading under its event id first: the same id again, even at the same
    moment, waits for the first and finds it taken. Then lock the device's row, so that
    readings of one device act one after another, each seeing what the last did."""
    now = care.clock()
    taken = await fetch_rows(
        "INSERT INTO elderly_care_device_reading (device_id, event_id, type, value, read_at,"
        " taken_at) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (device_id, event_id) DO NOTHING RETURNING id",
        device["id"],
        reading.event_id,
        reading.type.value,
        reading.value,
        read_at,
        now,
    )
    if not taken:
        before = await fetch_rows(
            "SELECT alarm_id FROM elderly_care_device_reading"
            " WHERE device_id = $1 AND event_id = $2",
            device["id"],
            reading.event_id,
        )
        if not before:  # the device was retired meanwhile, and its readings with it
            raise Unauthorized(CareProblem.DEVICE_REFUSED)
        first = before[0]["alarm_id"]
        return HomeReadingTaken(event_id=reading.event_id, replayed=True, alarm_id=first)
    still = await fetch_rows(
        "UPDATE elderly_care_device SET last_seen_at = $2, silent_due_at = $3,"
        " silent_flagged_at = NULL WHERE id = $1 RETURNING *",
        device["id"],
        now,
        now + SILENT_AFTER,
    )
    if not still:  # retired since its signature was checked: it signs nothing more
        raise Unauthorized(CareProblem.DEVICE_REFUSED)
    locked = still[0]
    alarm_id = None
    if reading.type in AT_ONCE:
        alarm_id = await _alarm(care, locked, elder, reading.type)
    elif _lively(reading):
        await _sign_of_life(care, locked, read_at)
    if alarm_id is not None:
        await fetch_rows(
            "UPDATE elderly_care_device_reading SET alarm_id = $2 WHERE id = $1",
            taken[0]["id"],
            alarm_id,
        )
    return HomeReadingTaken(event_id=reading.event_id, replayed=False, alarm_id=alarm_id)


def _lively(reading: HomeReadingIn) -> bool:
    """A door opened, or water or power used: a meter's 0 is a reading of nothing used."""
    if reading.type is HomeReadingType.DOOR_OPEN:
        return True
    return reading.type in SIGNS_OF_LIFE and (reading.value is None or reading.value > 0)


async def _alarm(
    care: CareRuntime, device: Mapping[str, Any], elder: Mapping[str, Any], what: HomeReadingType
) -> int:
    """The device's open alarm, with this reading on its timeline, or a new one."""
    why = f"{what.value}: {device['device']}"
    open_id = device["open_alarm_id"]
    if open_id is not None and await _still_open(int(open_id)):
        await write_entry(int(open_id), care.clock(), AlarmAction.READING, None, note=why)
        return int(open_id)
    alarm_id = await raise_device_alarm(care, elder, why)
    await fetch_rows(
        "UPDATE elderly_care_device SET open_alarm_id = $2 WHERE id = $1", device["id"], alarm_id
    )
    return alarm_id


async def raise_device_alarm(care: CareRuntime, elder: Mapping[str, Any], why: str) -> int:
    """An alarm nobody pressed: rung at once, as an SOS is, with a grid event besides."""
    grid = str(elder["grid_path"])
    plan = with_grid_event(await plan_for(elder, await timing_for(community_of(grid))), grid)
    return await raise_alarm(care, elder, kind=AlarmKind.DEVICE, plan=plan, note=why)


async def _still_open(alarm_id: int) -> bool:
    """Whether the alarm is open, its row then locked to the end of the reading's
    transaction: a cancel or a close waits for the reading to join, or the reading sees
    it ended and raises a new one."""
    among = placeholders(2, len(OPEN_ALARM))
    rows = await fetch_rows(
        "UPDATE elderly_care_alarm SET status = status WHERE id = $1"  # noqa: S608 - placeholders only
        f" AND status IN ({among}) RETURNING id",
        alarm_id,
        *[s.value for s in OPEN_ALARM],
    )
    return bool(rows)


async def _sign_of_life(care: CareRuntime, device: Mapping[str, Any], read_at: dt.datetime) -> None:
    """Someone is living there: the home is quiet again only `quiet_hours` from now, and
    an alarm the quiet raised ends."""
    hours = quiet_hours_of(device)
    due = read_at + dt.timedelta(hours=hours) if hours else None
    await fetch_rows(
        "UPDATE elderly_care_device SET quiet_alarm_id = NULL, last_activity_at = CASE"
        " WHEN last_activity_at IS NULL OR last_activity_at < $2 THEN $2"
        " ELSE last_activity_at END,"
        " quiet_due_at = CASE WHEN quiet_due_at < $3 THEN $3 ELSE quiet_due_at END"
        " WHERE id = $1",
        device["id"],
        read_at,
        due,
    )
    quiet_alarm = device["quiet_alarm_id"]
    if quiet_alarm is not None:
        await end_by_itself(int(quiet_alarm), AlarmOutcome.ACTIVITY_RESUMED, None, care)
