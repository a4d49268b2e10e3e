from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from backend.kernel.pagination import PageLimit

__all__ = ["PageLimit"]

HHMM = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"])]
Category = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_.]{0,31}$")]


class Platform(enum.StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


class AddressKind(enum.StrEnum):
    TOKEN = "token"  # noqa: S105 - an FCM registration token, not a password
    FID = "fid"  # a Firebase installation id


# FCM registration tokens and installation ids are ASCII, a few hundred characters at most.
# The bound keeps an address inside one PostgreSQL index entry (2704 bytes), which a longer
# or non-ASCII one overflowed.
Address = Annotated[
    str, msgspec.Meta(min_length=8, max_length=1024, pattern=r"^[A-Za-z0-9_:.\-]+$")
]
AppVersion = Annotated[str, msgspec.Meta(max_length=32, pattern=r"^[\x20-\x7e]*$")]


class DeviceIn(msgspec.Struct, frozen=True, kw_only=True):
    address: Address
    kind: AddressKind = AddressKind.TOKEN
    platform: Platform
    app_version: AppVersion = ""
    locale: Annotated[str, msgspec.Meta(pattern=r"^(zh-CN|en)$")] = "zh-CN"


class DeviceView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    platform: str
    app_version: str
    locale: str
    created_at: dt.datetime
    last_seen: dt.datetime


class DevicePage(msgspec.Struct, frozen=True):
    items: list[DeviceView]
    next_cursor: str | None


class InboxItemView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    category: str
    title: str
    body: str
    deep_link: str | None
    created_at: dt.datetime
    read: bool


class InboxPage(msgspec.Struct, frozen=True):
    items: list[InboxItemView]
    next_cursor: str | None
    unread: int


class QuietHours(msgspec.Struct, frozen=True):
    start: HHMM
    end: HHMM


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    quiet_hours: QuietHours | None = None
    muted_categories: Annotated[list[Category], msgspec.Meta(max_length=50)] = []


class DeliveryStats(msgspec.Struct, frozen=True, kw_only=True):
    notification_id: int
    recipients: int
    by_status: dict[str, int]


class FailedDelivery(msgspec.Struct, frozen=True, kw_only=True):
    delivery_id: int
    user_id: int
    device_id: int | None
    status: str
    attempts: int
    error: str | None


class FailedDeliveryPage(msgspec.Struct, frozen=True):
    items: list[FailedDelivery]
    next_cursor: str | None
