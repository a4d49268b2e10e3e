"""The device registry: many devices per user, one user per device address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.kernel.db import transaction
from backend.kernel.errors import NotFound
from backend.kernel.pagination import decode_cursor, encode_cursor
from push.errors import PushCode
from push.fanout import Status
from push.schemas import DeviceIn, DevicePage, DeviceView
from push.sending import PushRuntime
from push.tables import Delivery, Device, TopicSubscription
from push.topics import plan_topics

STALE_AFTER = dt.timedelta(days=270)


def _view(row: dict[str, Any]) -> DeviceView:
    return DeviceView(
        id=row["id"],
        kind=row["kind"],
        platform=row["platform"],
        app_version=row["app_version"],
        locale=row["locale"],
        created_at=row["created_at"],
        last_seen=row["last_seen"],
    )


async def register_device(
    *, user_id: int, device: DeviceIn, push: PushRuntime
) -> tuple[DeviceView, bool]:
    """Register or refresh a device; returns it and whether it is new.

    An address seen before moves to this user: the newest registration owns a phone that
    changed hands, and whatever still waited to reach its previous owner is not sent to it.
    Concurrent registrations of one address end with one row: the insert gives way to a row
    another request has just made, and the row lock (an IMMEDIATE transaction on SQLite)
    orders the updates and the topic plans that follow them."""
    now = dt.datetime.now(dt.UTC)
    values: dict[Any, Any] = {
        Device.user_id: user_id,
        Device.kind: device.kind,
        Device.platform: device.platform,
        Device.app_version: device.app_version,
        Device.locale: device.locale,
        Device.active: True,
        Device.deactivated_reason: None,
        Device.last_seen: now,
    }
    async with transaction():
        row, created = await _hold_address(device.address, values)
        await _drop_sends_to_previous_owners(device_id=row["id"], user_id=user_id, now=now)
        topics_changed = await plan_topics(device_id=row["id"])
    if topics_changed:
        await push.request_sync()
    return _view(row), created


async def _hold_address(address: str, values: dict[Any, Any]) -> tuple[dict[str, Any], bool]:
    """The device row of an address, made or updated with `values`; and whether it is new."""
    while True:  # again only if the row was pruned between the two statements
        made = (
            await Device.insert(Device({Device.address: address, **values}))
            .on_conflict(target=Device.address, action="DO NOTHING")
            .returning(*Device.all_columns())
        )
        if made:
            return made[0], True
        updated = (
            await Device.update(values)
            .where(Device.address == address)
            .returning(*Device.all_columns())
        )
        if updated:
            return updated[0], False


async def _drop_sends_to_previous_owners(*, device_id: int, user_id: int, now: dt.datetime) -> None:
    """Settle what still waits to reach a phone's earlier owners: it is not for its holder."""
    await Delivery.update(
        {
            Delivery.status: Status.FAILED,
            Delivery.error: "device changed hands",
            Delivery.updated_at: now,
        }
    ).where(
        (Delivery.device_id == device_id)
        & (Delivery.user_id != user_id)
        & (Delivery.status == Status.PENDING)
    )


async def unregister_device(*, user_id: int, device_id: int, push: PushRuntime) -> None:
    async with transaction():
        gone = (
            await Device.update({Device.active: False, Device.deactivated_reason: "unregistered"})
            .where((Device.id == device_id) & (Device.user_id == user_id))
            .returning(Device.id)
        )
        if not gone:
            raise NotFound(PushCode.DEVICE_NOT_FOUND)
        topics_changed = await plan_topics(device_id=device_id)
    if topics_changed:
        await push.request_sync()


async def devices_of(*, user_id: int, cursor: str | None, limit: int) -> DevicePage:
    """The user's active devices, oldest registration first, a page at a time."""
    where: Any = (Device.user_id == user_id) & Device.active.eq(True)
    if cursor:
        where &= Device.id > decode_cursor(cursor)
    rows = await Device.select().where(where).order_by(Device.id).limit(limit + 1)
    items = [_view(row) for row in rows[:limit]]
    more = len(rows) > limit
    return DevicePage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def prune_stale_devices() -> int:
    """Forget devices not seen for 270 days."""
    cutoff = dt.datetime.now(dt.UTC) - STALE_AFTER
    async with transaction():
        gone = await Device.delete().where(Device.last_seen < cutoff).returning(Device.id)
        ids = [row["id"] for row in gone]
        if ids:
            await TopicSubscription.delete().where(TopicSubscription.device_id.is_in(ids))
            # a send claims rows with their device; one whose device is gone would wait forever
            await Delivery.update(
                {Delivery.status: Status.FAILED, Delivery.error: "device forgotten"}
            ).where(Delivery.device_id.is_in(ids) & (Delivery.status == Status.PENDING))
    return len(ids)
