"""emit(): a domain event is written in the business transaction and handed on after commit.

So a crash between commit and delivery loses nothing: the row is there, and the sweeper
hands it on again. Handing on is only an optimisation of latency.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

import msgspec
from piccolo.columns import Column
from piccolo.table import Table
from redis.exceptions import RedisError

from backend.kernel.clock import utc_now
from backend.kernel.db import insert_rows, transaction
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.jobs import JobQueue
from backend.kernel.registry import Registry

log = logging.getLogger(__name__)

DELIVER = "events.deliver"
# The deliveries of a burst of events at once, where the jobs run in the API process.
DELIVER_TOGETHER = "events.deliver_together"
_WRITTEN = (
    OutboxEvent.event_id,
    OutboxEvent.name,
    OutboxEvent.payload,
    OutboxEvent.created_at,
    OutboxEvent.next_attempt_at,
    OutboxEvent.attempts,
)


class EventBus(msgspec.Struct):
    """This process's registry of events and the queue that delivers them."""

    registry: Registry
    jobs: JobQueue


AfterCommit = Callable[[], Awaitable[None]]


Written = tuple[type[Table], tuple[Column, ...]]  # a table and the columns given


class _Work(msgspec.Struct):
    events: list[uuid.UUID]
    after: list[AfterCommit]
    rows: list[tuple[object, ...]]  # the outbox's, written together before the commit
    # Rows of other tables that nothing reads back in the unit (audit rows): written, each
    # table's with one statement, before the outbox's.
    later: dict[Written, list[Sequence[Any]]]


# The bus of the app or worker whose request or job is running: set by the host around each
# one, so that two apps in one process (as in the tests) never hand on each other's events.
_bus: contextvars.ContextVar[EventBus | None] = contextvars.ContextVar(
    "yimen_event_bus", default=None
)
_pending: contextvars.ContextVar[_Work | None] = contextvars.ContextVar(
    "yimen_unit_of_work", default=None
)


def enter_bus(bus: EventBus | None) -> contextvars.Token[EventBus | None]:
    """`bus_in_use` without a context manager's cost, for the path every request takes;
    give the token back to `leave_bus`."""
    return _bus.set(bus)


def leave_bus(token: contextvars.Token[EventBus | None]) -> None:
    _bus.reset(token)


@contextlib.contextmanager
def bus_in_use(bus: EventBus | None) -> Iterator[None]:
    """Hand on what is emitted inside through `bus`; with None, leave it to the sweeper."""
    token = _bus.set(bus)
    try:
        yield
    finally:
        _bus.reset(token)


def current_bus() -> EventBus | None:
    """The bus of the app or worker whose request or job is running."""
    return _bus.get()


def in_unit_of_work() -> bool:
    return _pending.get() is not None


def delivery_job_id(event_id: uuid.UUID | str, attempt: int) -> str:
    return f"event:{event_id}:{attempt}"


@contextlib.asynccontextmanager
async def unit_of_work() -> AsyncIterator[None]:
    """A transaction whose emitted events are handed on once it has committed."""
    if _pending.get() is not None:
        yield  # joins the unit of work around it
        return
    work = _Work(events=[], after=[], rows=[], later={})
    token = _pending.set(work)
    try:
        async with transaction():
            yield
            for (table, columns), rows in work.later.items():
                await insert_rows(table, columns, rows)
            # One statement for every event of the unit, however many there are.
            await insert_rows(OutboxEvent, _WRITTEN, work.rows)
    finally:
        _pending.reset(token)
    await hand_on(work.events)
    for callback in work.after:
        await callback()


async def insert_with_unit(
    table: type[Table], columns: Sequence[Column], row: Sequence[Any]
) -> None:
    """Insert `row` with the current unit of work's other rows of `table` at its end, in
    one statement for them all; outside a unit of work, at once. For rows the unit never
    reads back (an audit trail): they commit or roll back with it all the same."""
    work = _pending.get()
    if work is None:
        await insert_rows(table, columns, [row])
        return
    work.later.setdefault((table, tuple(columns)), []).append(row)


def on_commit(callback: AfterCommit) -> None:
    """Run `callback` once the current unit of work has committed (never if it rolls back)."""
    work = _pending.get()
    if work is None:
        raise RuntimeError("on_commit() needs a unit_of_work() around it")
    work.after.append(callback)


async def emit(name: str, payload: msgspec.Struct) -> uuid.UUID:
    """Record an event inside the current unit of work; written with the unit's other
    events when its work is done, and delivered after it commits."""
    work = _pending.get()
    if work is None:
        raise RuntimeError("emit() needs a unit_of_work() around it")
    bus = _bus.get()
    if bus is not None:
        expected = bus.registry.events.get(name)
        if expected is None:
            raise LookupError(f"unknown event {name!r}")
        if not isinstance(payload, expected):
            raise TypeError(f"event {name!r} carries {expected.__name__}")
    event_id = uuid.uuid4()
    now = utc_now()
    work.rows.append((event_id, name, msgspec.json.encode(payload).decode(), now, now, 0))
    work.events.append(event_id)
    return event_id


async def hand_on(event_ids: list[uuid.UUID]) -> None:
    bus = _bus.get()
    if bus is None or not event_ids:
        return
    for event_id in event_ids:
        try:
            await bus.jobs.enqueue(DELIVER, str(event_id), job_id=delivery_job_id(event_id, 0))
        except (RedisError, OSError) as err:
            log.warning("event %s waits in the outbox for the sweeper: %s", event_id, err)
            return
