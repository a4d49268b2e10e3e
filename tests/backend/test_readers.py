"""The connections fetch_rows lends outside a transaction (PostgreSQL): never more than its
size, each to one statement at a time, and never one with a statement still in flight."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest

from backend.kernel.readers import Lender


def _dsn() -> str:
    dsn = os.environ.get("DATABASE_URL", "")
    if dsn.startswith("postgres"):
        return dsn
    if os.environ.get("CI") == "true":
        pytest.fail("the PostgreSQL run needs YIMEN_TEST_DATABASE_URL")
    pytest.skip("lending is PostgreSQL's (set YIMEN_TEST_DATABASE_URL)")


async def test_no_more_connections_than_its_size_and_every_caller_served() -> None:
    lender = Lender({"dsn": _dsn()}, size=2)
    try:
        answers = await asyncio.gather(
            *(lender.fetch("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)", ()) for _ in range(8))
        )
        assert len({rows[0]["pid"] for rows in answers}) <= 2
        assert len(answers) == 8
    finally:
        await lender.close()


async def test_a_failed_statement_closes_its_connection_and_the_next_caller_gets_another() -> None:
    lender = Lender({"dsn": _dsn()}, size=1)
    try:
        first = (await lender.fetch("SELECT pg_backend_pid() AS pid", ()))[0]["pid"]
        with pytest.raises(asyncpg.PostgresError):
            await lender.fetch("SELECT 1 / 0", ())
        after = (await lender.fetch("SELECT pg_backend_pid() AS pid", ()))[0]["pid"]
        assert after != first  # the one that failed was not lent again
    finally:
        await lender.close()


async def test_a_statement_cancelled_midway_never_reaches_the_next_caller() -> None:
    lender = Lender({"dsn": _dsn()}, size=1)
    try:
        slow = asyncio.create_task(lender.fetch("SELECT pg_sleep(5)", ()))
        await asyncio.sleep(0.2)
        waiting = asyncio.create_task(lender.fetch("SELECT 42 AS n", ()))
        await asyncio.sleep(0.05)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        # The waiter gets a fresh connection at once, not one still running pg_sleep.
        rows = await asyncio.wait_for(waiting, 2.0)
        assert rows[0]["n"] == 42
    finally:
        await lender.close()


async def test_closing_refuses_those_waiting_and_later_callers() -> None:
    lender = Lender({"dsn": _dsn()}, size=1)
    busy = asyncio.create_task(lender.fetch("SELECT pg_sleep(0.3)", ()))
    await asyncio.sleep(0.1)
    waiting = asyncio.create_task(lender.fetch("SELECT 1", ()))
    await asyncio.sleep(0.05)
    await lender.close()
    with pytest.raises(RuntimeError):
        await waiting
    await busy  # the statement under way finishes; its connection is then closed
    with pytest.raises(RuntimeError):
        await lender.fetch("SELECT 1", ())
