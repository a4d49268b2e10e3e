"""A bench touches only the stores it is given, or ones it makes and removes itself."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.e2e.processes import postgres_url_or_skip

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import stores


async def keys_and_ping(url: str) -> list[bytes]:
    client = Redis.from_url(url)
    try:
        await client.ping()
        return list(await client.keys("*"))
    finally:
        await client.aclose()


async def test_without_redis_url_a_private_redis_is_started_and_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    with stores.redis_url() as url:
        assert url.startswith("redis://127.0.0.1:")
        assert not url.startswith("redis://127.0.0.1:6379")
        assert await keys_and_ping(url) == []
    with pytest.raises(RedisConnectionError):
        await keys_and_ping(url)


async def test_a_given_redis_url_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    with stores.redis_url() as private:
        monkeypatch.setenv("REDIS_URL", private)
        client = Redis.from_url(private)
        await client.set("someone-elses", "data")
        await client.aclose()
        with stores.redis_url() as given:
            assert given == private
        # Nothing of what was there is flushed.
        assert await keys_and_ping(private) == [b"someone-elses"]


async def databases(server: str) -> set[str]:
    connection = await asyncpg.connect(server)
    try:
        return {row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")}
    finally:
        await connection.close()


async def test_without_database_url_a_database_of_its_own_is_made_and_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    test_database = postgres_url_or_skip()
    server = test_database.rsplit("/", 1)[0] + "/postgres"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("YIMEN_BENCH_POSTGRES", server)
    before = await databases(server)
    # In a thread: the bench's own code runs its statements on an event loop of its own.
    own = stores.database_url()
    url = await asyncio.to_thread(own.__enter__)
    name = url.rsplit("/", 1)[1]
    assert name.startswith("yimen_bench_")
    assert name not in before
    assert name in await databases(server)
    await asyncio.to_thread(own.__exit__, None, None, None)
    assert await databases(server) == before


def test_a_given_database_url_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/given")
    with stores.database_url() as url:
        assert url == "postgresql://postgres@127.0.0.1:5432/given"
