"""Running the suite in several processes (pytest-xdist): each worker has a database and a
Redis database of its own, so that one worker's emptying of the tables, or its queued jobs,
never reach another's tests."""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlparse, urlunparse

import asyncpg


def worker_index() -> int | None:
    """This process's worker number (gw0 is 0), or None outside xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name.removeprefix("gw")) if name.startswith("gw") else None


def worker_database_url(pg_url: str, index: int) -> str:
    """The test database's name with the worker's number after it."""
    parsed = urlparse(pg_url)
    return urlunparse(parsed._replace(path=f"{parsed.path.rstrip('/')}_gw{index}"))


def worker_redis_url(redis_url: str, index: int) -> str:
    """The test Redis database counted down from the configured one: /15 gives gw1 /14."""
    parsed = urlparse(redis_url)
    database = int(parsed.path.lstrip("/") or 0) - index
    if database < 0:
        raise RuntimeError(f"too many workers for Redis database {parsed.path!r}")
    return urlunparse(parsed._replace(path=f"/{database}"))


def fresh_database(pg_url: str) -> None:
    """Drop the database, ending its sessions (a killed run may have left some), and create
    it empty."""
    asyncio.run(_fresh_database(pg_url))


async def _fresh_database(pg_url: str) -> None:
    name = urlparse(pg_url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise RuntimeError(f"unsafe database name {name!r}")
    admin = await asyncpg.connect(urlunparse(urlparse(pg_url)._replace(path="/postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def take_worker_services() -> None:
    """Under xdist, point the test variables at this worker's own database and Redis."""
    index = worker_index()
    if index is None:
        return
    pg_url = os.environ.get("YIMEN_TEST_DATABASE_URL", "")
    if pg_url:
        os.environ["YIMEN_TEST_DATABASE_URL"] = worker_database_url(pg_url, index)
        fresh_database(os.environ["YIMEN_TEST_DATABASE_URL"])
    redis_url = os.environ.get("YIMEN_TEST_REDIS_URL", "")
    if redis_url:
        os.environ["YIMEN_TEST_REDIS_URL"] = worker_redis_url(redis_url, index)
