"""A migration turns a plain table holding rows into one split by month: every row kept in
its month, ids going on from the same sequence, indexes and foreign keys out kept, and what
a partitioned table cannot hold refused by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from backend.kernel.db import current_engine, fetch_rows, is_postgres
from backend.kernel.partitions import ConversionRefused, partition_by_month
from backend.kernel.partitions.catalogue import month_partitions

pytestmark = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's partitions")

NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


@pytest.fixture
async def engine() -> AsyncIterator[Any]:
    engine: Any = current_engine()
    await _drop(engine)
    await engine.run_ddl("CREATE TABLE conv_owner (id BIGSERIAL PRIMARY KEY)")
    await engine.run_ddl(
        "CREATE TABLE conv_log (id BIGSERIAL PRIMARY KEY, owner_id BIGINT REFERENCES "
        "conv_owner (id), note TEXT NOT NULL DEFAULT '', at TIMESTAMPTZ NOT NULL)"
    )
    await engine.run_ddl("CREATE INDEX conv_log_note ON conv_log (note)")
    await engine.run_ddl("INSERT INTO conv_owner DEFAULT VALUES")
    await engine.run_ddl(
        "INSERT INTO conv_log (owner_id, note, at) VALUES "
        "(1, 'a', '2026-09-15T10:00:00Z'), (1, 'b', '2026-10-31T23:59:59Z'), "
        "(NULL, 'c', '2026-12-01T00:00:00Z')"
    )
    yield engine
    await _drop(engine)


async def _drop(engine: Any) -> None:
    await engine.run_ddl("DROP TABLE IF EXISTS conv_log, conv_log_unpartitioned, conv_owner")


async def test_rows_land_in_their_months_and_ids_go_on(engine: Any) -> None:
    async with engine.transaction():
        await partition_by_month(engine, "conv_log", "at", now=NOW)

    where = await fetch_rows(
        "SELECT id, note, tableoid::regclass::text AS part FROM conv_log ORDER BY id"
    )
    assert [(r["id"], r["note"], r["part"]) for r in where] == [
        (1, "a", "conv_log_p2026_09"),
        (2, "b", "conv_log_p2026_10"),
        (3, "c", "conv_log_p2026_12"),
    ]
    made = [p.name for p in await month_partitions(engine, "conv_log")]
    assert made == [
        f"conv_log_p{m}" for m in ("2026_09", "2026_10", "2026_12", "2027_01", "2027_02", "2027_03")
    ]
    [row] = await fetch_rows("INSERT INTO conv_log (at) VALUES ($1) RETURNING id", NOW)
    assert row["id"] == 4
    indexes = {
        r["indexname"]
        for r in await fetch_rows("SELECT indexname FROM pg_indexes WHERE tablename = 'conv_log'")
    }
    assert {"conv_log_pkey", "conv_log_note"} <= indexes
    with pytest.raises(Exception, match="conv_log_owner_id_fkey"):
        await fetch_rows("INSERT INTO conv_log (owner_id, at) VALUES (9, $1)", NOW)


async def test_a_second_conversion_changes_nothing(engine: Any) -> None:
    await partition_by_month(engine, "conv_log", "at", now=NOW)
    await partition_by_month(engine, "conv_log", "at", now=NOW)
    assert len(await fetch_rows("SELECT id FROM conv_log")) == 3


async def test_a_unique_index_without_the_time_is_refused(engine: Any) -> None:
    await engine.run_ddl("CREATE UNIQUE INDEX conv_log_once ON conv_log (owner_id, note)")
    with pytest.raises(ConversionRefused, match="conv_log_once lacks at"):
        async with engine.transaction():
            await partition_by_month(engine, "conv_log", "at", now=NOW)
    assert len(await fetch_rows("SELECT id FROM conv_log")) == 3


async def test_a_foreign_key_pointing_at_it_is_refused(engine: Any) -> None:
    with pytest.raises(ConversionRefused, match="conv_owner"):
        async with engine.transaction():
            await partition_by_month(engine, "conv_owner", "id", now=NOW)
