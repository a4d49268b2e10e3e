"""IoT intake: signed readings from a device; one over its threshold opens an event in the
device's grid, and more alarms while that event is open update it instead."""

from __future__ import annotations

import hmac
import re
import secrets
import time
from typing import Annotated, Any

import msgspec

from backend.sdk import (
    BadRequest,
    Claims,
    Conflict,
    Enablement,
    FieldError,
    Forbidden,
    KernelCode,
    Level,
    Role,
    Unauthorized,
    Unprocessable,
    Vault,
    body_signature,
    require_unit,
    unit_of_work,
)
from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.opening import SYSTEM, insert_steps, open_event, timeline_step
from miniapps.grid_events.schemas import ReportIn, SensorEnrolled, SensorIn
from miniapps.grid_events.states import UNFINISHED, State
from miniapps.grid_events.switches import require_on_at
from miniapps.grid_events.tables import GridEvent, Sensor

MAX_SKEW = 300  # how old a reading may be, in seconds
# How far ahead of our clock a device's may run. Small: the newest timestamp taken is the
# floor for the next, so one far in the future would refuse the device's honest readings.
MAX_AHEAD = 30
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() also reads '٣' and '²'
SIGNATURE = re.compile(r"[0-9a-f]{64}")
SEAL = "grid_events.sensor"
# A reading's body is read by hand, to check its signature, so the host's refusal of NUL in
# JSON does not reach it; PostgreSQL's text cannot hold one.
NO_NUL = r"^[^\x00]*$"
ALARM_TRIES = 5


class Reading(msgspec.Struct, frozen=True):
    value: float
    unit: Annotated[str, msgspec.Meta(max_length=16, pattern=NO_NUL)] = ""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return body_signature(secret.encode(), timestamp, body)


async def enrol_sensor(
    *, actor: Claims, sensor: SensorIn, admins: tuple[Role, ...], vault: Vault
) -> SensorEnrolled:
    """Enrol a device in an existing grid the admin holds, with a new secret to sign with
    (shown to the installer once); a name already enrolled, even at the same moment, is a
    409 and keeps its first secret."""
    if sensor.category not in CATEGORIES:
        raise Unprocessable(GridEventsCode.SENSOR_CATEGORY_UNKNOWN)
    if not actor.covers(sensor.grid_path, *admins):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    await require_unit(sensor.grid_path, Level.GRID, field="grid_path")
    secret = secrets.token_urlsafe(32)
    enrolled = (
        await Sensor.insert(
            Sensor(
                device=sensor.device,
                secret_sealed=vault.seal(secret, purpose=SEAL),
                grid_path=sensor.grid_path,
                category=sensor.category,
                threshold=sensor.threshold,
            )
        )
        .on_conflict(target=Sensor.device, action="DO NOTHING")
        .returning(Sensor.id)
    )
    if not enrolled:
        raise Conflict(GridEventsCode.SENSOR_EXISTS)
    return SensorEnrolled(device=sensor.device, secret=secret)


async def take_reading(
    *,
    device: str,
    timestamp: str,
    signed: str,
    body: bytes,
    vault: Vault,
    enablement: Enablement,
) -> dict[str, Any]:
    """Check the device's signature and timestamp (fresh, not ahead of our clock, and newer
    than the last taken), that its district has grid events switched on, and that the body
    is a reading; only then take its timestamp as the floor for the next, and act."""
    sensor = await Sensor.select().where(Sensor.device == device).first()
    if sensor is None or not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signed):
        raise Unauthorized(GridEventsCode.SENSOR_REFUSED)
    expected = signature(vault.open(sensor["secret_sealed"], purpose=SEAL), timestamp, body)
    stamp = int(timestamp)
    if not hmac.compare_digest(expected, signed) or not _fresh(stamp):
        raise Unauthorized(GridEventsCode.SENSOR_REFUSED)
    require_on_at(enablement, sensor["grid_path"])
    try:
        reading = msgspec.json.decode(body, type=Reading)
    except msgspec.ValidationError as err:  # signed, fresh, JSON, but not a reading
        culprit = FieldError(field="$", message=str(err))
        raise BadRequest(KernelCode.VALIDATION_FAILED, errors=[culprit]) from err
    except msgspec.DecodeError as err:
        culprit = FieldError(field="$", message=str(err))
        raise BadRequest(KernelCode.BODY_NOT_JSON, errors=[culprit]) from err
    advanced = (
        await Sensor.update({Sensor.last_timestamp: stamp})
        .where((Sensor.id == sensor["id"]) & (Sensor.last_timestamp < stamp))
        .returning(Sensor.id)
    )
    if not advanced:  # a replayed or reordered reading
        raise Unauthorized(GridEventsCode.SENSOR_REFUSED)
    if reading.value < sensor["threshold"]:
        return {"alarm": False, "event_id": None}
    return {"alarm": True, "event_id": await _alarm(sensor, reading)}


def _fresh(stamp: int) -> bool:
    now = time.time()
    return now - MAX_SKEW <= stamp <= now + MAX_AHEAD


class _Raced(Exception):
    """Another reading of the same sensor opened its event first."""


async def _alarm(sensor: dict[str, Any], reading: Reading) -> int:
    """The sensor's open event, with this alarm on its timeline, or a new one. Readings that
    alarm at once race to open it: the sensor row's `open_event_id`, changed only from what
    was read, lets one of them open it, and the others try again and join it."""
    for _ in range(ALARM_TRIES):
        try:
            async with unit_of_work():
                return await _alarm_once(sensor, reading)
        except _Raced:
            continue
    raise Conflict(GridEventsCode.SENSOR_BUSY)


async def _alarm_once(sensor: dict[str, Any], reading: Reading) -> int:
    seen = await Sensor.select(Sensor.open_event_id).where(Sensor.id == sensor["id"]).first()
    seen_id = seen["open_event_id"] if seen else None
    current = None
    if seen_id:
        current = (
            await GridEvent.select(GridEvent.id, GridEvent.state)
            .where((GridEvent.id == seen_id) & GridEvent.state.is_in(list(UNFINISHED)))
            .first()
        )
    why = f"{sensor['device']}: {reading.value}{reading.unit}"
    if current is not None:
        event_id = int(current["id"])
        state = State(current["state"])
        await insert_steps([timeline_step(event_id, "alarm", state, state, SYSTEM, why)])
        return event_id
    # Opened as a report is, so that it is due, told and escalated as one.
    alarm = ReportIn(category=sensor["category"], description=f"设备 {sensor['device']} 报警")
    event, _ = await open_event(data=alarm, grid=sensor["grid_path"], reporter_id=SYSTEM, why=why)
    event_id = int(event["id"])
    as_seen = Sensor.open_event_id.is_null() if seen_id is None else Sensor.open_event_id == seen_id
    claimed = (
        await Sensor.update({Sensor.open_event_id: event_id})
        .where((Sensor.id == sensor["id"]) & as_seen)
        .returning(Sensor.id)
    )
    if not claimed:
        raise _Raced  # rolls back the event just made, its steps and its notices
    return event_id
