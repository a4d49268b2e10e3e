"""Sending deliveries: each (notification, device) at most once, even when the job reruns.

Rows are claimed (pending → sending) in chunks no larger than what goes on the wire at
once, then sent, then recorded. A rerun never touches a claimed row; a row still claimed
after the lease is "unconfirmed" (the provider may or may not have it) and is not resent.
Retryable refusals go back to pending with backoff; invalid addresses switch the device off.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
from typing import Any

from backend.kernel.clock import utc_now
from backend.kernel.contract import JobContext
from backend.kernel.db import is_postgres, json_value
from backend.kernel.jobs import JobQueue
from backend.kernel.metrics import count_push
from backend.kernel.retry import backoff
from backend.kernel.services import Services
from backend.kernel.settings import Settings
from backend.kernel.templates import render
from push.fanout import Status
from push.senders import Outcome, PushMessage, Sender, SendResult
from push.senders.log import LogSender
from push.tables import Delivery, Device, Notification
from push.topic_sending import expire_claims, next_due, send_topics

log = logging.getLogger(__name__)

SEND = "push.send"
SYNC = "push.sync_topics"
CHUNK = 10  # few requests in flight send fastest through httpx, and each claimed row is on the wire
MAX_ATTEMPTS = 5
LEASE = dt.timedelta(seconds=60)

INLINE_AT_MOST = CHUNK  # an urgent notification this small is sent by its fan-out's process


class PushRuntime:
    """Push in one process: its sender, made on first use on the loop that will use it,
    and the job queue that its sends and topic syncs go through."""

    def __init__(self, settings: Settings, jobs: JobQueue) -> None:
        self.settings = settings
        self.jobs = jobs
        self._sender: Sender | None = None
        # Where the sweep for phones with unplanned topics goes on (topics.plan_unplanned).
        self.topic_sweep_from = 0

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            if self.settings.firebase_credentials:
                from push.senders.fcm import FcmSender

                self._sender = FcmSender(self.settings)
            else:
                self._sender = LogSender()
        return self._sender

    async def close(self) -> None:
        if self._sender is not None:
            sender, self._sender = self._sender, None
            await sender.close()

    async def request_sending(self, notification_id: int, *, defer: float = 0) -> None:
        slot = int(utc_now().timestamp() + defer)
        await self.jobs.enqueue(
            SEND, notification_id, job_id=f"push:{notification_id}:{slot}", defer=defer
        )

    async def request_sync(self) -> None:
        await self.jobs.enqueue(SYNC, job_id=f"{SYNC}:{int(utc_now().timestamp())}")

    async def send_soon(self, notification: dict[str, Any], *, pending: int) -> None:
        """After a fan-out commits: an urgent notification to a few devices is sent right
        here, sparing its push a trip through the queue; anything else, or a failure, goes
        queued."""
        if notification["urgent"] and pending <= INLINE_AT_MOST:
            try:
                await _send(self, notification)
                return
            except Exception:  # whatever went wrong, the queued job (or the resume cron) sends
                log.exception("sending notification %s in place failed", notification["id"])
        await self.request_sending(notification["id"])


async def start_push(services: Services) -> PushRuntime:
    return PushRuntime(services.settings, services.jobs)


async def stop_push(services: Services) -> None:
    await services.runtime(PushRuntime).close()
    services.drop_runtime(PushRuntime)


async def send_notification(job: JobContext, notification_id: int) -> dict[str, int]:
    """The send job: every due delivery of a notification."""
    return await send_due(job.services.runtime(PushRuntime), notification_id)


async def send_due(push: PushRuntime, notification_id: int) -> dict[str, int]:
    """Send every due delivery of a notification; schedule another send for retries."""
    notification = await Notification.select().where(Notification.id == notification_id).first()
    if notification is None:
        return {}
    return await _send(push, notification)


async def _send(push: PushRuntime, notification: dict[str, Any]) -> dict[str, int]:
    notification_id = notification["id"]
    tally = await send_topics(push.sender, notification)
    while rows := await _claim(notification_id):
        messages = _messages(notification, rows)
        sender = push.sender
        results = await sender.send([m for _, m in messages])
        for answer, times in collections.Counter(r.outcome for r in results).items():
            count_push(sender.provider, answer, times)
        for outcome, count in (await _record(messages, results)).items():
            tally[outcome] = tally.get(outcome, 0) + count
        if len(rows) < CHUNK:
            break  # nothing more was due: a fuller claim would have been taken
    if "retry" in tally:
        await _schedule_retry(push, notification_id)
    return tally


async def _claim(notification_id: int) -> list[dict[str, Any]]:
    """One statement, so atomic on its own: two senders never claim the same row. The
    claimed rows come back with their devices' addresses, sparing a read."""
    lock = "FOR UPDATE OF push_delivery SKIP LOCKED" if is_postgres() else ""
    device = "(SELECT {0} FROM push_device WHERE push_device.id = push_delivery.device_id) AS {0}"
    # Only constants are formatted into the SQL; values are bound parameters.
    rows: list[dict[str, Any]] = await Delivery.raw(
        "UPDATE push_delivery SET status = {}, claimed_at = {}, attempts = attempts + 1 "  # noqa: S608
        "WHERE id IN (SELECT push_delivery.id FROM push_delivery "
        "JOIN push_device ON push_device.id = push_delivery.device_id "
        "WHERE notification_id = {} AND status = {} AND next_attempt_at <= {} "
        f"ORDER BY push_delivery.id LIMIT {CHUNK} {lock}) "
        "RETURNING id, device_id, attempts, "
        + ", ".join(device.format(c) for c in ("address", "kind", "platform", "locale")),
        Status.SENDING,
        utc_now(),
        notification_id,
        Status.PENDING,
        utc_now(),
    )
    return rows


def _messages(
    notification: dict[str, Any], rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], PushMessage]]:
    titles, bodies, data = (json_value(notification[k]) for k in ("titles", "bodies", "data"))
    payload = {**data, "notification_id": str(notification["id"])}
    if notification["deep_link"]:
        payload["deep_link"] = notification["deep_link"]
    return [
        (
            row,
            PushMessage(
                address=row["address"],
                kind=row["kind"],
                platform=row["platform"],
                title=render(titles, row["locale"], data),
                body=render(bodies, row["locale"], data),
                data=payload,
                urgent=notification["urgent"],
                collapse_key=notification["collapse_key"],
                ttl=notification["ttl"],
            ),
        )
        for row in rows
    ]


async def _record(
    messages: list[tuple[dict[str, Any], PushMessage]], results: list[SendResult]
) -> dict[str, int]:
    by_status: dict[str, list[int]] = {}
    invalid_devices: list[int] = []
    now = utc_now()
    for (row, _), result in zip(messages, results, strict=True):
        if result.outcome in (Outcome.SENT, Outcome.LOGGED):
            by_status.setdefault(result.outcome.value, []).append(row["id"])
        elif result.outcome is Outcome.RETRY and row["attempts"] < MAX_ATTEMPTS:
            delay = max(backoff(row["attempts"]), result.retry_after or 0.0)
            await Delivery.update(
                {
                    Delivery.status: Status.PENDING,
                    Delivery.error: result.error,
                    Delivery.next_attempt_at: now + dt.timedelta(seconds=delay),
                    Delivery.claimed_at: None,
                    Delivery.updated_at: now,
                }
            ).where(Delivery.id == row["id"])
            by_status.setdefault("retry", [])
        else:
            if result.outcome is Outcome.INVALID_ADDRESS:
                invalid_devices.append(row["device_id"])
            await Delivery.update(
                {
                    Delivery.status: Status.FAILED,
                    Delivery.error: result.error,
                    Delivery.updated_at: now,
                }
            ).where(Delivery.id == row["id"])
            by_status.setdefault(Status.FAILED, [])
    for status, ids in by_status.items():
        if ids:
            await Delivery.update({Delivery.status: status, Delivery.updated_at: now}).where(
                Delivery.id.is_in(ids)
            )
    if invalid_devices:
        await Device.update(
            {Device.active: False, Device.deactivated_reason: "invalid_address"}
        ).where(Device.id.is_in(invalid_devices))
    return {status: len(ids) for status, ids in by_status.items()}


async def _schedule_retry(push: PushRuntime, notification_id: int) -> None:
    next_row = (
        await Delivery.select(Delivery.next_attempt_at)
        .where((Delivery.notification_id == notification_id) & (Delivery.status == Status.PENDING))
        .order_by(Delivery.next_attempt_at)
        .first()
    )
    due = [
        when
        for when in (next_row and next_row["next_attempt_at"], await next_due(notification_id))
        if when
    ]
    if due:
        wait = max((min(due) - utc_now()).total_seconds(), 0.0)
        await push.request_sending(notification_id, defer=wait)


async def resume_sending(job: JobContext) -> int:
    """Cron: mark claims past their lease unconfirmed; restart sending that lost its job."""
    now = utc_now()
    await Delivery.update({Delivery.status: Status.UNCONFIRMED, Delivery.updated_at: now}).where(
        (Delivery.status == Status.SENDING) & (Delivery.claimed_at < now - LEASE)
    )
    due = (
        await Delivery.select(Delivery.notification_id)
        .where(
            (Delivery.status == Status.PENDING)
            & (Delivery.next_attempt_at < now - dt.timedelta(seconds=5))
        )
        .distinct()
        .limit(100)
    )
    notifications = {row["notification_id"] for row in due}
    notifications |= set(await expire_claims(now, LEASE))
    push = job.services.runtime(PushRuntime)
    for notification_id in sorted(notifications):
        await push.request_sending(notification_id)
    return len(notifications)
