"""Fan-out: one notification becomes an inbox row per person and a delivery row per device."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from backend.directory.people import people
from backend.kernel.audience import Audience
from backend.kernel.contract import Event, JobContext
from backend.kernel.db import fetch_rows, insert_rows, json_value, placeholders
from backend.kernel.events import on_commit
from backend.kernel.templates import render
from push.audience import resolve
from push.preferences import is_muted, is_quiet, preferences_for
from push.tables import Delivery, Device, InboxItem, Notification

CHUNK = 1000  # rows per statement, well inside PostgreSQL's 32767 bound parameters


class Status:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    LOGGED = "logged"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    NO_DEVICE = "no_device"
    SKIPPED_QUIET_HOURS = "skipped_quiet_hours"
    SKIPPED_OPT_OUT = "skipped_opt_out"


async def fan_out(event: Event, job: JobContext) -> None:
    """Handler of push.notification_requested; its rows commit with its handled-marker."""
    notification = (
        await Notification.select().where(Notification.id == event.payload.notification_id).first()
    )
    if notification is not None:
        await fan_out_notification(notification, job)


async def fan_out_notification(notification: dict[str, Any], job: JobContext) -> None:
    """An inbox row per person and a delivery row per device; sending starts after commit."""
    from push.sending import PushRuntime

    push = job.services.runtime(PushRuntime)
    audience = msgspec.convert(json_value(notification["audience"]), Audience)
    if audience.area is not None and notification["urgent"]:
        from push.area import fan_out_to_area

        await fan_out_to_area(notification, audience.area, push)
        return
    user_ids = await resolve(audience)
    await _write_inbox(notification, user_ids)
    pending = await _write_deliveries(notification, user_ids)
    await fetch_rows(_FANNED_OUT, dt.datetime.now(dt.UTC), len(user_ids), notification["id"])
    if pending:
        on_commit(lambda: push.send_soon(notification, pending=pending))


_FANNED_OUT = (
    f"UPDATE {Notification._meta.tablename} "  # noqa: S608 - the table's own name
    "SET fanned_out_at = $1, recipients = $2 WHERE id = $3"
)
_INBOX_COLUMNS = (
    InboxItem.user_id,
    InboxItem.notification_id,
    InboxItem.category,
    InboxItem.title,
    InboxItem.body,
    InboxItem.deep_link,
    InboxItem.created_at,
)
_DELIVERY_COLUMNS = (
    Delivery.notification_id,
    Delivery.user_id,
    Delivery.device_id,
    Delivery.status,
    Delivery.attempts,
    Delivery.next_attempt_at,
    Delivery.updated_at,
    Delivery.notified_at,
)


async def _write_inbox(notification: dict[str, Any], user_ids: list[int]) -> None:
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        locales = {user_id: person.locale for user_id, person in (await people(chunk)).items()}
        await write_inbox(notification, {user_id: locales.get(user_id) for user_id in chunk})


async def write_inbox(notification: dict[str, Any], locales: dict[int, str | None]) -> None:
    """An inbox row for each person, in their locale (at most CHUNK people)."""
    titles, bodies = json_value(notification["titles"]), json_value(notification["bodies"])
    data = json_value(notification["data"])
    now = dt.datetime.now(dt.UTC)
    await insert_rows(
        InboxItem,
        _INBOX_COLUMNS,
        [
            (
                user_id,
                notification["id"],
                notification["category"],
                render(titles, locale or "zh-CN", data),
                render(bodies, locale or "zh-CN", data),
                notification["deep_link"],
                now,
            )
            for user_id, locale in locales.items()
        ],
    )


async def _write_deliveries(notification: dict[str, Any], user_ids: list[int]) -> int:
    pending = 0
    for start in range(0, len(user_ids), CHUNK):
        pending += await write_deliveries(notification, user_ids[start : start + CHUNK])
    return pending


async def write_deliveries(
    notification: dict[str, Any], user_ids: list[int], *, kind: str | None = None
) -> int:
    """A delivery row per active device of each person (at most CHUNK people), only those
    whose address is of `kind` if given; returns how many are pending. Without `kind`, a
    person with no device gets a row that says so."""
    now = dt.datetime.now(dt.UTC)
    notified = notification["created_at"]
    pending = 0
    if user_ids:
        preferences = await preferences_for(user_ids)
        devices = await _active_devices(user_ids, kind)
        rows: list[tuple[Any, ...]] = []
        for user_id in user_ids:
            status = _status_for(notification, preferences.get(user_id), now)
            if not devices.get(user_id):
                if kind is not None:
                    continue
                rows.append(
                    (notification["id"], user_id, None, Status.NO_DEVICE, 0, now, now, notified)
                )
                continue
            for device_id in devices[user_id]:
                rows.append((notification["id"], user_id, device_id, status, 0, now, now, notified))
                pending += status == Status.PENDING
        for first in range(0, len(rows), CHUNK):
            await insert_rows(Delivery, _DELIVERY_COLUMNS, rows[first : first + CHUNK])
    return pending


async def _active_devices(user_ids: list[int], kind: str | None) -> dict[int, list[int]]:
    """Each person's active devices (of `kind` if given), by user id; nobody in `user_ids`
    is left unasked."""
    if not user_ids:
        return {}
    of_kind = f"AND kind = ${len(user_ids) + 1} " if kind is not None else ""
    rows = await fetch_rows(
        f"SELECT id, user_id FROM {Device._meta.tablename} "  # noqa: S608 - own names
        f"WHERE active {of_kind}AND user_id IN ({placeholders(1, len(user_ids))}) ORDER BY id",
        *user_ids,
        *([kind] if kind is not None else []),
    )
    devices: dict[int, list[int]] = {}
    for row in rows:
        devices.setdefault(row["user_id"], []).append(row["id"])
    return devices


def _status_for(notification: dict[str, Any], preference: Any, now: dt.datetime) -> str:
    if notification["urgent"]:
        return Status.PENDING
    if is_muted(preference, notification["category"]):
        return Status.SKIPPED_OPT_OUT
    if is_quiet(preference, now):
        return Status.SKIPPED_QUIET_HOURS
    return Status.PENDING
