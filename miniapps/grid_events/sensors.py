"""IoT intake: signed readings from a device; one over its threshold opens an event in the
device's grid, and more alarms while that event is open update it instead."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import msgspec

from backend.enablement.service import Enablement
from backend.errors import BadRequest, Unauthorized, register_messages
from backend.events import unit_of_work
from backend.vault import Vault
from miniapps.grid_events.states import State
from miniapps.grid_events.switches import require_on_at
from miniapps.grid_events.tables import GridEvent, Sensor, TimelineEntry

register_messages(
    {"sensor_refused": ("设备签名无效或已过期", "The reading's signature is not valid")}
)

MAX_SKEW = 300
SEAL = "grid_events.sensor"
CLOSED = [State.CLOSED, State.CANCELLED]


class Reading(msgspec.Struct, frozen=True):
    value: float
    unit: str = ""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


async def register_sensor(
    *, device: str, secret: str, grid: str, category: str, threshold: float, vault: Vault
) -> None:
    """Enrol a device with the secret it signs with (shown to the installer once)."""
    await Sensor.insert(
        Sensor(
            device=device,
            secret_sealed=vault.seal(secret, purpose=SEAL),
            grid_path=grid,
            category=category,
            threshold=threshold,
        )
    )


async def take_reading(
    *,
    device: str,
    timestamp: str,
    signed: str,
    body: bytes,
    vault: Vault,
    enablement: Enablement,
) -> dict[str, Any]:
    """Check the device's signature and timestamp (fresh, and newer than the last), and that
    its district has grid events switched on, then act."""
    sensor = await Sensor.select().where(Sensor.device == device).first()
    if sensor is None or not timestamp.isdigit():
        raise Unauthorized("sensor_refused")
    expected = signature(vault.open(sensor["secret_sealed"], purpose=SEAL), timestamp, body)
    stamp = int(timestamp)
    if not hmac.compare_digest(expected, signed) or abs(time.time() - stamp) > MAX_SKEW:
        raise Unauthorized("sensor_refused")
    require_on_at(enablement, sensor["grid_path"])
    advanced = (
        await Sensor.update({Sensor.last_timestamp: stamp})
        .where((Sensor.id == sensor["id"]) & (Sensor.last_timestamp < stamp))
        .returning(Sensor.id)
    )
    if not advanced:  # a replayed or reordered reading
        raise Unauthorized("sensor_refused")
    try:
        reading = msgspec.json.decode(body, type=Reading)
    except msgspec.DecodeError as err:  # signed, fresh, but not a reading
        raise BadRequest("validation_failed") from err
    if reading.value < sensor["threshold"]:
        return {"alarm": False, "event_id": None}
    return {"alarm": True, "event_id": await _alarm(sensor, reading)}


async def _alarm(sensor: dict[str, Any], reading: Reading) -> int:
    open_event = None
    if sensor["open_event_id"]:
        open_event = (
            await GridEvent.select(GridEvent.id, GridEvent.state)
            .where((GridEvent.id == sensor["open_event_id"]) & GridEvent.state.not_in(CLOSED))
            .first()
        )
    async with unit_of_work():
        if open_event is not None:
            event_id = int(open_event["id"])
            await TimelineEntry.insert(
                TimelineEntry(
                    event_id=event_id,
                    action="alarm",
                    from_state=open_event["state"],
                    to_state=open_event["state"],
                    actor_id=0,
                    reason=f"{sensor['device']}: {reading.value}{reading.unit}",
                )
            )
            return event_id
        rows = await GridEvent.insert(
            GridEvent(
                category=sensor["category"],
                description=f"设备 {sensor['device']} 报警",
                attributes={},
                grid_path=sensor["grid_path"],
                reporter_id=0,
                state=State.REPORTED,
            )
        ).returning(GridEvent.id)
        event_id = int(rows[0]["id"])
        await Sensor.update({Sensor.open_event_id: event_id}).where(Sensor.id == sensor["id"])
        await TimelineEntry.insert(
            TimelineEntry(
                event_id=event_id,
                action="report",
                from_state=None,
                to_state=State.REPORTED,
                actor_id=0,
                reason=f"{sensor['device']}: {reading.value}{reading.unit}",
            )
        )
    return event_id
