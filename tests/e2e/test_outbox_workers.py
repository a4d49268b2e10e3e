"""The outbox under real failure: workers SIGKILLed, Redis stopped, several processes at once.

These run on PostgreSQL with a Redis of their own and `yimen worker` / `yimen serve`
processes; the effect checked is the book corner's loan tally, which a doubled
delivery would push past the number of events."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest
from yimen_library.schemas import BookBorrowed
from yimen_library.tables import Book

from backend.directory.users.service import account_for_phone, set_home
from backend.host import Host
from backend.kernel.events import emit, unit_of_work
from backend.kernel.events.tables import DeadLetter, HandledEvent, OutboxEvent
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from tests.e2e.processes import (
    RedisServer,
    access_token,
    api_host,
    fleet,
    postgres_url_or_skip,
    redis_server,
)

__all__ = ["api_host", "redis_server"]

BURST = 500
COMMUNITY = "zz/gx/fengyang/c03"
READERS = 100  # each borrows up to the limit, three books


@pytest.fixture
async def book() -> int:
    postgres_url_or_skip()
    rows = await Book.insert(Book(title="平凡的世界", community=COMMUNITY, copies=1_000_000))
    return int(rows[0]["id"])


async def _emit_burst(book: int, count: int, start: int = 0) -> None:
    for loan in range(start, start + count):
        async with unit_of_work():
            await emit("library.book_borrowed", BookBorrowed(book, loan, 1))


async def _tally(book: int) -> int:
    row = await Book.select(Book.times_borrowed).where(Book.id == book).first()
    assert row is not None
    return int(row["times_borrowed"])


async def _wait_all_delivered(expected: int, seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.25)):
        waiting = await OutboxEvent.count().where(OutboxEvent.dispatched_at.is_null())
        if waiting == 0 and await OutboxEvent.count() == expected:
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"{waiting} events still waiting")


async def _assert_once_each(book: int, expected: int) -> None:
    assert await _tally(book) == expected
    assert await HandledEvent.count() == expected
    assert await DeadLetter.count() == 0


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
async def test_a_worker_killed_mid_burst_loses_and_doubles_nothing(
    settings: Settings, redis_server: RedisServer, api_host: Host, book: int, stop: signal.Signals
) -> None:
    async with fleet(settings.database_url, redis_server.url) as group:
        await _emit_burst(book, BURST)
        first = await group.worker()
        for _ in range(400):
            if await _tally(book) >= 50:
                break
            await asyncio.sleep(0.05)
        first.send_signal(stop)
        await asyncio.wait_for(first.wait(), 30)
        assert await _tally(book) < BURST, "the burst ended before the kill"
        await group.worker()
        await _wait_all_delivered(BURST)
    await _assert_once_each(book, BURST)


async def test_events_wait_in_the_outbox_while_redis_is_down(
    settings: Settings, redis_server: RedisServer, api_host: Host, book: int
) -> None:
    async with fleet(settings.database_url, redis_server.url) as group:
        await group.worker()
        await _emit_burst(book, 100)
        redis_server.stop()
        await _emit_burst(book, 200, start=100)  # commits succeed; hand-on fails quietly
        assert await OutboxEvent.count() == 300
        redis_server.start()
        await group.worker()  # a supervisor restarts a worker that lost its Redis
        await _wait_all_delivered(300)
    await _assert_once_each(book, 300)


async def test_two_apis_and_two_workers_lose_and_double_nothing(
    settings: Settings, redis_server: RedisServer, book: int, vault: Vault
) -> None:
    tokens = []
    for reader in range(READERS):
        user_id = await account_for_phone(phone=f"139{reader:08d}", vault=vault)
        await set_home(user_id=user_id, home_path=f"{COMMUNITY}/g07")
        tokens.append(await access_token(settings, user_id))
    async with fleet(settings.database_url, redis_server.url) as group:
        apis = [await group.api(), await group.api()]
        await group.worker()
        await group.worker()
        borrowed = await _borrow_burst(apis, book, tokens * 3)
        assert borrowed == 300
        await _wait_all_delivered(300)
    await _assert_once_each(book, 300)
    row = await Book.select(Book.copies_out).where(Book.id == book).first()
    assert row == {"copies_out": 300}


async def _borrow_burst(apis: list[str], book: int, tokens: list[str]) -> int:
    """One borrow per token given, sixteen at a time, spread over the API processes."""
    limit = asyncio.Semaphore(16)

    async def borrow(http: httpx.AsyncClient, i: int) -> bool:
        async with limit:
            url = f"{apis[i % len(apis)]}/v1/miniapps/library/books/{book}/borrow"
            response = await http.post(url, headers={"Authorization": f"Bearer {tokens[i]}"})
            return response.status_code == 201

    async with httpx.AsyncClient(timeout=30) as http:
        results = await asyncio.gather(*(borrow(http, i) for i in range(len(tokens))))
    return sum(results)


async def test_worker_health_check(settings: Settings, redis_server: RedisServer) -> None:
    from tests.support import yimen

    postgres_url_or_skip()
    env = {"REDIS_URL": redis_server.url}
    assert (await yimen("worker", "--check", env=env)).returncode == 1
    async with fleet(settings.database_url, redis_server.url) as group:
        await group.worker()
        for _ in range(100):
            if (await yimen("worker", "--check", env=env)).returncode == 0:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("worker never reported healthy")
