"""Webhooks: what an app's publisher hears of by a signed POST to the app's server.

A change that concerns an app emits `APP_TOLD` in its own transaction (the outbox keeps it).
Its handler writes a delivery, if the app's webhook subscribes to the event, and hands the
first try on after commit. A try claims the delivery for a lease: a worker killed in the
middle of one leaves it to be tried again when the lease ends, by the sweeper. Network
errors and 5xx answers are tried again after 1, 5, 25, 125 and 625 minutes, six tries in
all within a day; any other answer ends the delivery. Receivers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Mapping
from functools import partial
from typing import Any

import httpx
import msgspec
from redis.exceptions import RedisError

from backend.sdk import (
    Event,
    JobContext,
    Services,
    emit,
    fetch_rows,
    on_commit,
    unit_of_work,
    utc_now,
)
from miniapps.open_platform.schemas import (
    AppManifest,
    AppTold,
    AppVersionStatus,
    DeliveryStatus,
    Webhook,
    WebhookBody,
    WebhookEvent,
)
from miniapps.open_platform.webhook_keys import signatures, signing_keys

log = logging.getLogger(__name__)

APP_TOLD = "open_platform.app_told"
ATTEMPT = "open_platform.attempt_webhook"
TRIES = 6
WAITS = tuple(dt.timedelta(minutes=5**n) for n in range(TRIES - 1))
# Past the answer's timeout: a lease outlives the try it covers however slow the answer.
LEASE_MARGIN = dt.timedelta(seconds=5)
# A delivery due this long and not taken: its hand-on was lost, so the sweeper hands it on.
SWEEP_GRACE = dt.timedelta(seconds=20)
SWEEP_BATCH = 500
VERSION_EVENTS = frozenset({WebhookEvent.VERSION_APPROVED, WebhookEvent.VERSION_REJECTED})


class Outcome(msgspec.Struct, frozen=True):
    status_code: int | None
    error: str | None
    took_ms: int
    network: bool = False  # no answer came: the connection failed or the time ran out

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def worth_retrying(self) -> bool:
        """A network error or a 5xx: the server may answer later; anything else it meant."""
        return self.network or (self.status_code is not None and self.status_code >= 500)


NO_KEY = "no signing key: issue one with POST /apps/{app_id}/webhook-key"


async def tell(app_id: str, event: WebhookEvent, data: dict[str, object]) -> None:
    """Tell the app's webhook of `event`, once the caller's unit of work commits."""
    await emit(APP_TOLD, AppTold(app_id=app_id, event=event, data=data))


async def record_delivery(event: Event, context: JobContext) -> None:
    """The handler of `APP_TOLD`: a delivery, if the app's webhook subscribes to it."""
    told: AppTold = event.payload
    hook = await webhook_for(told)
    if hook is None or told.event not in hook.events:
        return
    body = WebhookBody(
        id=str(event.id),
        type=told.event,
        app_id=told.app_id,
        occurred_at=event.occurred_at,
        data=told.data,
    )
    delivery_id = await new_delivery(
        told.app_id, str(event.id), told.event, hook.url, msgspec.json.encode(body).decode()
    )
    on_commit(partial(hand_on, context.services, delivery_id, 0))


async def webhook_for(told: AppTold) -> Webhook | None:
    """The webhook `told` goes to: a version's review is told to the webhook that version
    names; anything else to the webhook of the version approved last."""
    if told.event in VERSION_EVENTS:
        rows = await fetch_rows(
            "SELECT manifest FROM open_platform_version WHERE id = $1 AND app_id = $2",
            told.data["version_id"],
            told.app_id,
        )
    else:
        rows = await fetch_rows(
            "SELECT manifest FROM open_platform_version WHERE app_id = $1 AND status = $2"
            " ORDER BY reviewed_at DESC, number DESC LIMIT 1",
            told.app_id,
            AppVersionStatus.APPROVED,
        )
    if not rows:
        return None
    return msgspec.json.decode(rows[0]["manifest"], type=AppManifest).webhook


async def new_delivery(
    app_id: str, event_id: str, event: str, url: str, body: str, redelivery_of: int | None = None
) -> int:
    now = utc_now()
    rows = await fetch_rows(
        "INSERT INTO open_platform_webhook (app_id, event_id, event, url, body, status,"
        " attempts, next_attempt_at, created_at, redelivery_of)"
        " VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7, $8) RETURNING id",
        app_id,
        event_id,
        event,
        url,
        body,
        DeliveryStatus.PENDING,
        now,
        redelivery_of,
    )
    return int(rows[0]["id"])


async def hand_on(services: Services, delivery_id: int, attempts: int, defer: float = 0) -> None:
    """Queue the delivery's next try; when the queue is out of reach, the sweeper will."""
    job_id = f"webhook:{delivery_id}:{attempts}"
    try:
        await services.jobs.enqueue(ATTEMPT, delivery_id, job_id=job_id, defer=defer)
    except (RedisError, OSError) as err:
        log.warning("webhook delivery %s waits for the sweeper: %s", delivery_id, err)


async def attempt(services: Services, delivery_id: int) -> str:
    """One try of the delivery, if it is due and no other worker holds it."""
    row = await _claim(delivery_id, services.settings.open_webhook_timeout)
    if row is None:
        return "not due"
    keys = await signing_keys(row["app_id"], services.vault)
    outcome = await _post(services, row, keys) if keys else Outcome(None, NO_KEY, 0)
    wait = await _record(row, outcome)
    if wait is not None:
        await hand_on(services, delivery_id, row["attempts"], wait.total_seconds())
    return "delivered" if outcome.delivered else outcome.error or f"answered {outcome.status_code}"


async def _claim(delivery_id: int, answer_within: int) -> Mapping[str, Any] | None:
    now = utc_now()
    rows = await fetch_rows(
        "UPDATE open_platform_webhook SET leased_until = $1, attempts = attempts + 1"
        " WHERE id = $2 AND status = $3 AND next_attempt_at <= $4"
        " AND (leased_until IS NULL OR leased_until <= $4) AND attempts < $5"
        " RETURNING id, app_id, event_id, event, url, body, attempts",
        now + dt.timedelta(seconds=answer_within) + LEASE_MARGIN,
        delivery_id,
        DeliveryStatus.PENDING,
        now,
        TRIES,
    )
    return rows[0] if rows else None


async def _post(services: Services, row: Mapping[str, Any], keys: list[str]) -> Outcome:
    settings = services.settings
    body = row["body"].encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Yimen-Webhook/1",
        "Yimen-Event": row["event"],
        "Yimen-Delivery": str(row["id"]),
        "Yimen-Timestamp": timestamp,
        "Yimen-Signature": signatures(keys, timestamp, body),
    }
    target = settings.open_webhook_relay or row["url"]
    if settings.open_webhook_relay:
        headers["Yimen-Webhook-Url"] = str(httpx.URL(row["url"]))  # a header is ASCII
    started = time.perf_counter()
    within = settings.open_webhook_timeout
    try:
        # One deadline for the whole try, however slowly the answer trickles in, so the
        # try ends inside its lease; the answer's body is never read, only its status.
        # A fresh client each try: a webhook is rare, and a client binds to its event loop.
        async with (
            asyncio.timeout(within),
            httpx.AsyncClient(timeout=within, follow_redirects=False, trust_env=False) as http,
            http.stream("POST", target, content=body, headers=headers) as response,
        ):
            status = response.status_code
    except (httpx.HTTPError, TimeoutError) as err:
        return Outcome(None, _describe(err, within), _since(started), network=True)
    except Exception as err:  # a request that cannot be made at all: no try would fix it
        log.warning("webhook delivery %s cannot be sent: %r", row["id"], err)
        return Outcome(None, _describe(err, within), _since(started))
    return Outcome(status, None, _since(started))


def _describe(err: Exception, within: int) -> str:
    """What went wrong, for the publisher: its kind, not the details of our network."""
    if isinstance(err, TimeoutError | httpx.TimeoutException):
        return f"timeout: no answer within {within} s"
    return type(err).__name__


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


async def _record(row: Mapping[str, Any], outcome: Outcome) -> dt.timedelta | None:
    """Log the try and settle what comes next: the wait before the next try, if any."""
    now = utc_now()
    tried = int(row["attempts"])
    again = outcome.worth_retrying and tried < TRIES
    wait = WAITS[tried - 1] if again else None
    if outcome.delivered:
        status = DeliveryStatus.DELIVERED
    else:
        status = DeliveryStatus.PENDING if again else DeliveryStatus.FAILED
    # One unit: whoever reads the delivery settled also reads the try that settled it.
    async with unit_of_work():
        settled = await fetch_rows(
            "UPDATE open_platform_webhook SET status = $1, leased_until = NULL,"
            " next_attempt_at = $2, finished_at = $3 WHERE id = $4 AND attempts = $5 RETURNING id",
            status,
            now + wait if wait is not None else None,
            None if again else now,
            row["id"],
            tried,
        )
        await fetch_rows(
            "INSERT INTO open_platform_webhook_attempt (delivery_id, number, tried_at,"
            " status_code, error, took_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            row["id"],
            tried,
            now,
            outcome.status_code,
            outcome.error,
            outcome.took_ms,
        )
    if not settled:  # another worker took the delivery up after this one's lease ran out
        return None
    return wait


async def sweep(services: Services) -> int:
    """Hand on each delivery due a while that no worker holds: its hand-on was lost, or
    the worker trying it died. How many were handed on."""
    now = utc_now()
    # Tries spent by workers that died in them: nothing is left to try.
    await fetch_rows(
        "UPDATE open_platform_webhook SET status = $1, next_attempt_at = NULL,"
        " leased_until = NULL, finished_at = $2 WHERE status = $3 AND attempts >= $4"
        " AND next_attempt_at IS NOT NULL AND (leased_until IS NULL OR leased_until <= $2)",
        DeliveryStatus.FAILED,
        now,
        DeliveryStatus.PENDING,
        TRIES,
    )
    rows = await fetch_rows(
        "SELECT id, attempts, leased_until FROM open_platform_webhook"
        " WHERE next_attempt_at <= $1 AND status = $2"
        " AND (leased_until IS NULL OR leased_until <= $3) ORDER BY next_attempt_at LIMIT $4",
        now - SWEEP_GRACE,
        DeliveryStatus.PENDING,
        now,
        SWEEP_BATCH,
    )
    for row in rows:
        lease = row["leased_until"]
        # A job id of its own for each lease that ended: the job of the lease before ran.
        held = int(lease.timestamp()) if lease is not None else 0
        await services.jobs.enqueue(
            ATTEMPT, int(row["id"]), job_id=f"webhook:{row['id']}:{row['attempts']}:{held}"
        )
    return len(rows)
