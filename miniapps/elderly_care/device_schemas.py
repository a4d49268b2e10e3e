"""What the routes of home devices take and give."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

# `(?!\n)`: a pattern's `$` also passes a trailing newline.
DEVICE_NAME = r"^[A-Za-z0-9_.:-]{3,64}(?!\n)$"
EVENT_ID = r"^[A-Za-z0-9_.:-]{1,64}(?!\n)$"


class HomeDeviceKind(enum.StrEnum):
    FALL_DETECTOR = "fall_detector"
    SMOKE_ALARM = "smoke_alarm"
    DOOR_SENSOR = "door_sensor"
    WATER_METER = "water_meter"
    ELECTRICITY_METER = "electricity_meter"


class HomeReadingType(enum.StrEnum):
    """What a reading says: a fall or smoke (an alarm at once), a door opened or water or
    power used since the last reading (signs of life), or only that the device is alive."""

    FALL = "fall"
    SMOKE = "smoke"
    DOOR_OPEN = "door_open"
    WATER_USE = "water_use"
    POWER_USE = "power_use"
    HEARTBEAT = "heartbeat"


class HomeDeviceIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    device: Annotated[
        str,
        msgspec.Meta(pattern=DEVICE_NAME, max_length=64, description="The device's serial."),
    ]
    kind: HomeDeviceKind
    quiet_hours: (
        Annotated[
            int,
            msgspec.Meta(
                ge=6,
                le=168,
                description="Hours without use before an alert, for a door sensor (36 when"
                " unset) or a water meter (24 when unset).",
            ),
        ]
        | None
    ) = None


class HomeDeviceEnrolled(msgspec.Struct, frozen=True, kw_only=True):
    device: str
    kind: HomeDeviceKind
    # Shown once: the installer puts it in the device, which signs its readings with it.
    secret: str


class HomeDeviceView(msgspec.Struct, frozen=True, kw_only=True):
    device: str
    kind: HomeDeviceKind
    enrolled_at: dt.datetime
    last_seen_at: dt.datetime | None
    last_activity_at: dt.datetime | None
    quiet_hours: int | None
    # Nothing heard from it for a day: it may be unplugged, broken or out of battery.
    silent: bool
    # The alarm its fall or smoke raised, while that alarm is open.
    open_alarm_id: int | None


class HomeDeviceList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[HomeDeviceView]


class HomeReadingIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    event_id: Annotated[str, msgspec.Meta(pattern=EVENT_ID, max_length=64)]
    type: HomeReadingType
    value: Annotated[float, msgspec.Meta(ge=0, le=1e9)] | None = None


class HomeReadingTaken(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    # The same event id was taken before: this is what it did then, and nothing more.
    replayed: bool
    alarm_id: int | None
