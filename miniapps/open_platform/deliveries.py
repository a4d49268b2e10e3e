"""An app's webhook deliveries as its publisher sees them, each with its tries, and a
delivery sent again by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.sdk import (
    Claims,
    Conflict,
    NotFound,
    Services,
    audit,
    fetch_rows,
    fetch_where_in,
    on_commit,
    unit_of_work,
)
from miniapps.open_platform.apps import owned_app, seen_app
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.schemas import (
    AppTold,
    DeliveryStatus,
    WebhookAttemptView,
    WebhookBody,
    WebhookDeliveryList,
    WebhookDeliveryView,
    WebhookEvent,
)
from miniapps.open_platform.webhooks import hand_on, new_delivery, webhook_for

PAGE = 50


async def deliveries(actor: Claims, app_id: str, before: int | None) -> WebhookDeliveryList:
    """The app's deliveries, the newest first, fifty at a time: those before `before`."""
    await seen_app(actor, app_id)
    rows = await fetch_rows(
        "SELECT * FROM open_platform_webhook WHERE app_id = $1 AND id < $2"
        " ORDER BY id DESC LIMIT $3",
        app_id,
        before if before is not None else 2**63 - 1,
        PAGE,
    )
    tries = await _tries([int(row["id"]) for row in rows])
    return WebhookDeliveryList(items=[_view(row, tries.get(int(row["id"]), [])) for row in rows])


async def delivery(actor: Claims, app_id: str, delivery_id: int) -> WebhookDeliveryView:
    await seen_app(actor, app_id)
    row = await _row(app_id, delivery_id)
    return _view(row, (await _tries([delivery_id])).get(delivery_id, []))


async def redeliver(
    actor: Claims, app_id: str, delivery_id: int, services: Services
) -> WebhookDeliveryView:
    """Send a finished delivery's event again, as a new delivery to the webhook the app has
    for it now; the body is the same, its event id too."""
    await owned_app(actor, app_id)
    async with unit_of_work():
        row = await _row(app_id, delivery_id)
        if await _still_tried(app_id, row["event_id"]):
            raise Conflict(OpenProblem.DELIVERY_PENDING)
        told = _told_again(row)
        hook = await webhook_for(told)
        if hook is None or told.event not in hook.events:
            raise Conflict(OpenProblem.WEBHOOK_MISSING)
        again = await new_delivery(
            app_id, row["event_id"], row["event"], hook.url, row["body"], delivery_id
        )
        await audit(actor, "open_platform.webhook_redelivered", None, {"delivery_id": delivery_id})
        on_commit(lambda: hand_on(services, again, 0))
    return _view(await _row(app_id, again), [])


async def _still_tried(app_id: str, event_id: str) -> bool:
    """A delivery of the event, the first or a resend, is still being tried: one at a time."""
    rows = await fetch_rows(
        "SELECT 1 FROM open_platform_webhook WHERE app_id = $1 AND event_id = $2"
        " AND status = $3 LIMIT 1",
        app_id,
        event_id,
        DeliveryStatus.PENDING,
    )
    return bool(rows)


def _told_again(row: Mapping[str, Any]) -> AppTold:
    body = msgspec.json.decode(row["body"], type=WebhookBody)
    return AppTold(app_id=row["app_id"], event=WebhookEvent(row["event"]), data=body.data)


async def _row(app_id: str, delivery_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows(
        "SELECT * FROM open_platform_webhook WHERE id = $1 AND app_id = $2", delivery_id, app_id
    )
    if not rows:
        raise NotFound(OpenProblem.DELIVERY_NOT_FOUND)
    return rows[0]


async def _tries(delivery_ids: Sequence[int]) -> dict[int, list[WebhookAttemptView]]:
    rows = await fetch_where_in(
        "SELECT * FROM open_platform_webhook_attempt",
        "delivery_id",
        delivery_ids,
        then="ORDER BY delivery_id, number",
    )
    found: dict[int, list[WebhookAttemptView]] = {}
    for row in rows:
        found.setdefault(int(row["delivery_id"]), []).append(
            WebhookAttemptView(
                number=row["number"],
                tried_at=row["tried_at"],
                status_code=row["status_code"],
                error=row["error"],
                took_ms=row["took_ms"],
            )
        )
    return found


def _view(row: Mapping[str, Any], tries: list[WebhookAttemptView]) -> WebhookDeliveryView:
    return WebhookDeliveryView(
        id=row["id"],
        event_id=row["event_id"],
        event=WebhookEvent(row["event"]),
        url=row["url"],
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        redelivery_of=row["redelivery_of"],
        tries=tries,
    )
