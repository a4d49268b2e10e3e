"""Operator views: how a notification's deliveries went, and which failed and why."""

from __future__ import annotations

from typing import Any

from backend.kernel.errors import NotFound
from backend.kernel.pagination import decode_cursor, encode_cursor
from push.errors import PushCode
from push.fanout import Status
from push.schemas import DeliveryStats, FailedDelivery, FailedDeliveryPage
from push.tables import Delivery, Notification


async def _notification(notification_id: int) -> dict[str, Any]:
    notification = (
        await Notification.select(Notification.recipients)
        .where(Notification.id == notification_id)
        .first()
    )
    if notification is None:
        raise NotFound(PushCode.NOTIFICATION_NOT_FOUND)
    return notification


async def delivery_stats(notification_id: int) -> DeliveryStats:
    notification = await _notification(notification_id)
    rows = await Delivery.raw(
        "SELECT status, COUNT(*) AS n FROM push_delivery WHERE notification_id = {} "
        "GROUP BY status",
        notification_id,
    )
    return DeliveryStats(
        notification_id=notification_id,
        recipients=notification["recipients"],
        by_status={row["status"]: int(row["n"]) for row in rows},
    )


async def failed_deliveries(
    *, notification_id: int, cursor: str | None, limit: int
) -> FailedDeliveryPage:
    """Deliveries of a notification that failed or stayed unconfirmed, in the order they
    were made, a page at a time."""
    await _notification(notification_id)
    where: Any = (Delivery.notification_id == notification_id) & Delivery.status.is_in(
        [Status.FAILED, Status.UNCONFIRMED]
    )
    if cursor:
        where &= Delivery.id > decode_cursor(cursor)
    rows = await Delivery.select().where(where).order_by(Delivery.id).limit(limit + 1)
    items = [
        FailedDelivery(
            delivery_id=r["id"],
            user_id=r["user_id"],
            device_id=r["device_id"],
            status=r["status"],
            attempts=r["attempts"],
            error=r["error"],
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return FailedDeliveryPage(
        items=items, next_cursor=encode_cursor(items[-1].delivery_id) if more else None
    )
