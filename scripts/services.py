"""Test services: is PostgreSQL and Redis reachable, a fresh, empty test database, and how
many test processes the server has connections for."""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import urlparse, urlunparse

import asyncpg
from redis.asyncio import Redis


async def check(pg_url: str, redis_url: str) -> bool:
    try:
        connection = await asyncpg.connect(_admin_url(pg_url), timeout=3)
        await connection.close()
        client = Redis.from_url(redis_url, socket_connect_timeout=3)
        await client.ping()
        await client.aclose()
    except Exception as err:  # whatever the failure, the service is not usable
        print(f"not reachable: {err}", file=sys.stderr)
        return False
    return True


async def fresh_database(pg_url: str) -> None:
    name = urlparse(pg_url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unsafe database name {name!r}")
    connection = await asyncpg.connect(_admin_url(pg_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


# Connections one test process may hold at once on PostgreSQL, with the servers and workers
# its tests start: the default server's 100 fit one such process, not two.
CONNECTIONS_PER_WORKER = 100


async def workers(pg_url: str, wanted: str) -> int:
    """How many test processes the server's `max_connections` has room for, at most
    `wanted` (and at least one)."""
    connection = await asyncpg.connect(_admin_url(pg_url))
    try:
        most = int(await connection.fetchval("SHOW max_connections"))
    finally:
        await connection.close()
    return max(1, min(int(wanted), most // CONNECTIONS_PER_WORKER))


def _admin_url(pg_url: str) -> str:
    return urlunparse(urlparse(pg_url)._replace(path="/postgres"))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "check":
        sys.exit(0 if asyncio.run(check(*args)) else 1)
    if command == "workers":
        print(asyncio.run(workers(*args)))
        sys.exit(0)
    asyncio.run(fresh_database(*args))
