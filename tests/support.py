"""Test parts: a recording SMS provider, the list of every table, and the seeded calendar
kept from test to test."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from piccolo.table import Table

from auth.code_delivery import WAITING
from auth.runtime import AuthRuntime
from auth.tables import OneTimeCode
from backend.directory.users.service import PHONE_PURPOSE
from backend.kernel.db import current_engine, is_postgres
from backend.kernel.events.outbox import EventBus, bus_in_use
from backend.kernel.ratelimit import InProcessLimiter
from backend.kernel.registry import piccolo_apps
from backend.kernel.services import services_of
from backend.kernel.settings import get_settings
from backend.kernel.sms import SmsMessage, SmsOutcome, SmsResult
from backend.kernel.vault import vault_for
from backend.kernel.workdays import forget_work_calendar
from backend.kernel.workdays.tables import WorkCalendarDay
from backend.shell.pages import BUILT
from miniapps.health_code.checkpoint import Checkpoint


class RecordingSms:
    """An SMS provider that keeps what it was asked to send (SMS leaves this machine)."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[SmsMessage] = []

    async def send(self, message: SmsMessage) -> SmsResult:
        self.sent.append(message)
        return SmsResult(outcome=SmsOutcome.SENT)

    async def close(self) -> None:
        """Nothing to close."""

    async def last_code(self, phone: str, seconds: float = 10.0) -> str:
        """The newest code texted to `phone`. A code request answers before its text goes
        out, so this waits until the phone's newest code is no longer waiting to be sent."""
        await eventually(
            lambda: _code_settled(phone), seconds, what=f"the text to {phone}", every=0.002
        )
        return next(m.params["code"] for m in reversed(self.sent) if m.phone == phone)


async def _code_settled(phone: str) -> bool:
    lookup = vault_for(get_settings().secret).lookup(phone, purpose=PHONE_PURPOSE)
    newest = (
        await OneTimeCode.select(OneTimeCode.delivery)
        .where(OneTimeCode.phone_lookup == lookup)
        .order_by(OneTimeCode.id, ascending=False)
        .first()
    )
    return newest is not None and newest["delivery"] not in WAITING


# What the migrations seed, kept when the tables are emptied: the working-day calendar, real
# data 23 years long, which every test of a deadline counts on.
SEEDED: tuple[type[Table], ...] = (WorkCalendarDay,)


def all_tables() -> list[type[Table]]:
    """Every table a test fills and empties: all but what the migrations seed."""
    from importlib import import_module

    tables: list[type[Table]] = []
    for module in piccolo_apps():
        tables += import_module(module).APP_CONFIG.table_classes
    return [table for table in tables if table not in SEEDED]


_seeded_days: list[dict[str, Any]] = []


async def remember_seeded_calendar() -> None:
    """Keep the calendar as the migrations wrote it, for `restore_seeded_calendar`."""
    _seeded_days[:] = await WorkCalendarDay.select().order_by(WorkCalendarDay.id)


async def restore_seeded_calendar() -> None:
    """Put the seeded calendar back if a test loaded or removed a year. Loading a year writes
    new rows, so the count and the highest id tell whether anything changed."""
    found = await WorkCalendarDay.raw("SELECT count(*) AS days, max(id) AS top FROM work_calendar")
    seeded = (len(_seeded_days), _seeded_days[-1]["id"] if _seeded_days else None)
    if (found[0]["days"], found[0]["top"]) == seeded:
        return
    await WorkCalendarDay.delete(force=True)
    for start in range(0, len(_seeded_days), 1000):
        chunk = _seeded_days[start : start + 1000]
        await WorkCalendarDay.insert(*(WorkCalendarDay(**day) for day in chunk))
    forget_work_calendar()


async def empty_tables() -> None:
    """Empty every table: for a module that seeds its city once, instead of the suite's
    emptying before each test, and for a test that starts again from nothing."""
    engine = current_engine()
    names = [table._meta.tablename for table in all_tables()]
    if is_postgres(engine):
        await engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    else:
        await empty_sqlite_tables(engine, names)


async def empty_sqlite_tables(engine: Any, names: list[str]) -> None:
    """DELETE each table in one transaction: on one connection, where a statement each on
    its own would open a connection each."""
    async with engine.transaction():
        for name in names:
            await engine.run_ddl(f"DELETE FROM {name}")


def redis_url_or_skip() -> str:
    """The test Redis; under CI a missing Redis fails the test instead of skipping it."""
    url = os.environ.get("YIMEN_TEST_REDIS_URL", "")
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail("YIMEN_TEST_REDIS_URL is not set, and CI needs the Redis tests to run")
    pytest.skip("no test Redis (set YIMEN_TEST_REDIS_URL)")


async def yimen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `yimen` command in its own process, on the test database."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app started through its ASGI lifespan on this event loop, and a client for it.
    What the test calls itself while the app runs, beside its requests, emits through it."""
    to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, to_app.get, from_app.put))  # type: ignore[arg-type]
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(started.get("message", "startup failed"))
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            with bus_in_use(_bus_of(app)):
                yield client
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        await from_app.get()
        await task


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def eventually(
    condition: Callable[[], Awaitable[bool]],
    seconds: float = 20.0,
    *,
    what: str = "condition",
    every: float = 0.02,
) -> None:
    """Poll `condition` until it holds, instead of sleeping a fixed time; fail naming `what`
    once `seconds` have passed on the clock."""
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {seconds:g} s")
        await asyncio.sleep(every)


def auth_of(app: Litestar) -> AuthRuntime:
    """The app's auth runtime: its key ring, deny-list and token service."""
    return services_of(app).runtime(AuthRuntime)


class LimiterClock:
    """The clock an app's rate limits read, moved on by hand, so that a test passes the
    time a limit asks for without waiting it out."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def limits_on_clock(app: Litestar) -> LimiterClock:
    """Have `app` count its rate limits in this process on a clock the test moves."""
    clock = LimiterClock()
    services_of(app).limiter = InProcessLimiter(clock)
    return clock


def checkpoint_of(app: Litestar) -> Checkpoint:
    return services_of(app).runtime(Checkpoint)


def _bus_of(app: Litestar) -> EventBus | None:
    """The bus of an app built by create_app; a bare test app has none."""
    try:
        return services_of(app).bus
    except KeyError:
        return None


async def notices_recorded() -> None:
    """Wait until push has recorded every notice emitted so far: a part's notice becomes a
    Notification row when push takes its event, after the emitting request has answered."""
    from backend.kernel.events.tables import OutboxEvent
    from backend.kernel.notices import NOTICE_REQUESTED

    async def none_waiting() -> bool:
        waiting = await OutboxEvent.count().where(
            (OutboxEvent.name == NOTICE_REQUESTED) & OutboxEvent.dispatched_at.is_null()
        )
        return waiting == 0

    await eventually(none_waiting, what="push recording the notices emitted so far")


def entry_script(page: str) -> str:
    """The name of the script a built page's HTML loads (the others it loads when needed)."""
    html = (BUILT / page / "index.html").read_text()
    [name] = re.findall(rf'<script type="module" crossorigin src="/{page}/assets/([^"]+)"', html)
    return str(name)


async def sent_behind_a_held_row(
    table: str, row_id: int, requests: list[Awaitable[httpx.Response]]
) -> list[httpx.Response]:
    """The answers to `requests` sent together. On PostgreSQL row `row_id` of `table` is held
    until every one of them waits to write it, so all have read the same version of it: the
    race really happens. Only this database's waiters count, not another test process's;
    the activity view is a snapshot per transaction, cleared before each look."""
    if not is_postgres():
        return list(await asyncio.gather(*requests))
    connection = await current_engine().get_new_connection()
    try:
        async with connection.transaction():
            await connection.execute(f"SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE", row_id)
            sent = asyncio.gather(*requests)

            async def all_waiting() -> bool:
                await connection.execute("SELECT pg_stat_clear_snapshot()")
                waiting = await connection.fetchval(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                return int(waiting) >= len(requests)

            await eventually(all_waiting, what="every request waiting on the held row")
        return list(await sent)
    finally:
        await connection.close()


async def until_waiting_on_a_lock(watcher: Any, what: str) -> None:
    """Return once some session of this database waits for a row lock (PostgreSQL), the
    statement `what` names having reached a row another transaction holds."""
    for _ in range(200):
        waiting = await watcher.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        if waiting:
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"{what} never reached the held row")
