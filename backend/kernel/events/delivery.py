"""Delivering events to their handlers: each handler's effect at most once, failures retried
with backoff, and after the last try a dead letter that `yimen events retry` re-runs."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from redis.exceptions import RedisError

from backend.kernel.clock import utc_now
from backend.kernel.contract import Event, JobContext, Subscription
from backend.kernel.db import (
    UNIQUE_VIOLATION,
    fetch_rows,
    fetch_where_in,
    insert_rows,
    placeholders,
    transaction,
)
from backend.kernel.events.outbox import DELIVER, delivery_job_id, unit_of_work
from backend.kernel.events.tables import DeadLetter, HandledEvent, OutboxEvent
from backend.kernel.registry import Registry
from backend.kernel.retry import backoff
from backend.kernel.services import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
SWEEP_GRACE = dt.timedelta(seconds=5)
SWEEP_BATCH = 500


def decode(row: dict[str, Any], registry: Registry) -> Event:
    payload_type = registry.events.get(row["name"])
    raw = row["payload"]
    text = raw if isinstance(raw, str | bytes) else msgspec.json.encode(raw)
    payload = msgspec.json.decode(text, type=payload_type) if payload_type else raw
    return Event(
        id=uuid.UUID(str(row["event_id"])),
        name=row["name"],
        payload=payload,
        occurred_at=row["created_at"],
    )


async def deliver_event(services: Services, event_id: str) -> str:
    """Run every handler of an event that has not yet had its effect."""
    rows = await fetch_rows(_OUTBOX_ROW, uuid.UUID(event_id))
    if not rows or rows[0]["dispatched_at"] is not None:
        return "already delivered"
    row = dict(rows[0])
    event = decode(row, services.registry)
    failures: dict[str, str] = {}
    subscribers = [s for s in services.registry.subscribers.get(event.name, []) if s.takes(event)]
    marked: list[bool] = []

    async def mark() -> None:
        await _mark_delivered(row["id"])
        marked.append(True)  # counts only if its transaction commits: else a failure is kept

    for n, sub in enumerate(subscribers):
        # The last handler, when all before it succeeded, marks the event delivered in its
        # own transaction, sparing a statement. On a first try no handler can have had its
        # effect unless a twin delivery races this one, and the handled-marker settles
        # that: the look-ahead is for retries.
        last = n == len(subscribers) - 1 and not failures
        error = await run_handler(
            event,
            sub,
            services,
            look_first=row["attempts"] > 0,
            also=mark if last else None,
        )
        if error is not None:
            failures[sub.name] = error
    if not failures:
        if not marked:
            await _mark_delivered(row["id"])
        return "delivered"
    await _retry_or_bury(row, failures, services.jobs)
    return f"failed: {', '.join(failures)}"


async def deliver_events(services: Services, *event_ids: str) -> str:
    """`deliver_event` of each, the first tries of them in one transaction: every handler of
    each event, their handled-markers and the events' marks written together, so a burst of
    events costs one commit rather than one per handler. Any failure in it rolls it all back,
    and each event is then delivered on its own, its failures its own."""
    rows = await fetch_where_in(
        _OUTBOX_ROWS,
        "event_id",
        [uuid.UUID(event_id) for event_id in event_ids],
        then="ORDER BY id",
    )
    first = [dict(row) for row in rows if row["dispatched_at"] is None and row["attempts"] == 0]
    if len(first) > 1:
        try:
            await _deliver_together(first, services)
        except Exception as err:  # one event's handler failed: each is delivered alone
            log.info("events delivered one by one after %s", _describe(err))
        else:
            done = {str(row["event_id"]) for row in first}
            event_ids = tuple(event_id for event_id in event_ids if event_id not in done)
    for event_id in event_ids:
        await deliver_event(services, event_id)
    return "delivered"


async def _deliver_together(rows: list[dict[str, Any]], services: Services) -> None:
    handled: list[tuple[uuid.UUID, str, dt.datetime]] = []
    async with unit_of_work():
        for row in rows:
            event = decode(row, services.registry)
            for sub in services.registry.subscribers.get(event.name, []):
                if sub.takes(event):
                    context = JobContext(app_id=sub.name.split(".", 1)[0], services=services)
                    await sub.handler(event, context)
                    handled.append((event.id, sub.name, utc_now()))
        await insert_rows(HandledEvent, _HANDLED_COLUMNS, handled)
        marks = placeholders(2, len(rows))
        await fetch_rows(
            f"{_MARK_ALL_DELIVERED} ({marks})", utc_now(), *(row["id"] for row in rows)
        )


async def _mark_delivered(outbox_id: int) -> None:
    await fetch_rows(_MARK_DELIVERED, utc_now(), outbox_id)


# Every event is read, marked, and each of its handlers' effects recorded: statements
# prepared once, not piccolo queries built for each event.
_OUTBOX = OutboxEvent._meta.tablename
_OUTBOX_ROW = f"""
SELECT id, event_id, name, payload, created_at, attempts, dispatched_at
FROM {_OUTBOX} WHERE event_id = $1
"""  # noqa: S608 - the table's own name; the value is a placeholder
_OUTBOX_ROWS = f"""
SELECT id, event_id, name, payload, created_at, attempts, dispatched_at FROM {_OUTBOX}
"""  # noqa: S608 - as above
_MARK_ALL_DELIVERED = f"""
UPDATE {_OUTBOX} SET dispatched_at = $1 WHERE dispatched_at IS NULL AND id IN"""  # noqa: S608
_MARK_DELIVERED = f"""
UPDATE {_OUTBOX} SET dispatched_at = $1 WHERE id = $2 AND dispatched_at IS NULL
"""  # noqa: S608 - as above
_HANDLED_COLUMNS = (HandledEvent.event_id, HandledEvent.handler, HandledEvent.handled_at)


async def run_handler(
    event: Event,
    sub: Subscription,
    services: Services,
    *,
    look_first: bool = True,
    also: Callable[[], Awaitable[None]] | None = None,
) -> str | None:
    """Run one handler with its effect and its handled-marker in one transaction.

    Two runs of the same event (a redelivery racing a slow worker) cannot both commit: the
    marker is unique per (event, handler), so the loser's effect is rolled back.
    """
    if look_first and await _handled(event.id, sub.name):
        return None
    try:
        async with unit_of_work():
            context = JobContext(app_id=sub.name.split(".", 1)[0], services=services)
            await sub.handler(event, context)
            await insert_rows(HandledEvent, _HANDLED_COLUMNS, [(event.id, sub.name, utc_now())])
            if also is not None:
                await also()
    except UNIQUE_VIOLATION as err:
        if await _handled(event.id, sub.name):
            return None
        return _describe(err)
    except Exception as err:  # a handler may fail in any way; it is retried, then buried
        log.exception("handler %s failed on event %s", sub.name, event.id)
        return _describe(err)
    return None


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:2000]


async def _handled(event_id: uuid.UUID, handler: str) -> bool:
    return bool(
        await HandledEvent.exists().where(
            (HandledEvent.event_id == event_id) & (HandledEvent.handler == handler)
        )
    )


async def _retry_or_bury(row: dict[str, Any], failures: dict[str, str], jobs: Any) -> None:
    attempts = row["attempts"] + 1
    summary = "; ".join(f"{name}: {error}" for name, error in failures.items())
    if attempts >= MAX_ATTEMPTS:
        async with transaction():
            for handler, error in failures.items():
                await DeadLetter.insert(
                    DeadLetter(
                        event_id=row["event_id"],
                        name=row["name"],
                        handler=handler,
                        error=error,
                        attempts=attempts,
                    )
                )
            await OutboxEvent.update(
                {
                    OutboxEvent.attempts: attempts,
                    OutboxEvent.last_error: summary,
                    OutboxEvent.dispatched_at: utc_now(),
                }
            ).where(OutboxEvent.id == row["id"])
        log.error("event %s buried after %s tries: %s", row["event_id"], attempts, summary)
        return
    delay = backoff(attempts)
    await OutboxEvent.update(
        {
            OutboxEvent.attempts: attempts,
            OutboxEvent.last_error: summary,
            OutboxEvent.next_attempt_at: utc_now() + dt.timedelta(seconds=delay),
        }
    ).where(OutboxEvent.id == row["id"])
    try:
        await jobs.enqueue(
            DELIVER,
            str(row["event_id"]),
            job_id=delivery_job_id(row["event_id"], attempts),
            defer=delay,
        )
    except (RedisError, OSError) as err:
        log.warning("retry of event %s left to the sweeper: %s", row["event_id"], err)


async def sweep_outbox(services: Services) -> int:
    """Hand on events that were written but not delivered (a lost enqueue, a dead worker)."""
    rows = (
        await OutboxEvent.select(OutboxEvent.event_id, OutboxEvent.attempts)
        .where(
            OutboxEvent.dispatched_at.is_null()
            & (OutboxEvent.next_attempt_at < utc_now() - SWEEP_GRACE)
        )
        .order_by(OutboxEvent.id)
        .limit(SWEEP_BATCH)
    )
    handed = 0
    for row in rows:
        job_id = delivery_job_id(row["event_id"], row["attempts"]) + ":swept"
        if await services.jobs.enqueue(DELIVER, str(row["event_id"]), job_id=job_id):
            handed += 1
    if handed:
        log.info("sweeper handed on %s waiting events", handed)
    return handed


async def retry_dead_letter(dead_letter_id: int, services: Services) -> str | None:
    """Re-run the buried handler now; on success the dead letter goes. Returns the error."""
    dead = await DeadLetter.select().where(DeadLetter.id == dead_letter_id).first()
    if dead is None:
        raise LookupError(f"no dead letter {dead_letter_id}")
    row = await OutboxEvent.select().where(OutboxEvent.event_id == dead["event_id"]).first()
    registry = services.registry
    sub = registry.handler(dead["name"], dead["handler"])
    if row is None or sub is None:
        raise LookupError(f"event or handler of dead letter {dead_letter_id} is gone")
    error = await run_handler(decode(row, registry), sub, services)
    if error is None:
        await DeadLetter.delete().where(DeadLetter.id == dead_letter_id)
    else:
        await DeadLetter.update({DeadLetter.error: error, DeadLetter.failed_at: utc_now()}).where(
            DeadLetter.id == dead_letter_id
        )
    return error
