"""Operator views: how a notification's deliveries went, and which failed and why."""

from __future__ import annotations

from typing import Any

from backend.kernel.errors import NotFound
from push.errors import PushCode
from push.fanout import Status
from push.schemas import DeliveryStats, FailedDelivery
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


async def failed_deliveries(notification_id: int, limit: int = 100) -> list[FailedDelivery]:
    await _notification(notification_id)
    rows = (
        await Delivery.select()
        .where(
            (Delivery.notification_id == notification_id)
            & Delivery.status.is_in([Status.FAILED, Status.UNCONFIRMED])
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    return [
        FailedDelivery(
            delivery_id=r["id"],
            user_id=r["user_id"],
            device_id=r["device_id"],
            status=r["status"],
            attempts=r["attempts"],
            error=r["error"],
        )
        for r in rows
    ]
