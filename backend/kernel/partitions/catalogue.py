"""A partitioned table's months on PostgreSQL: which partitions it has, making one ahead of
time and dropping one past its keep.

Every statement here is DDL, which takes no bound parameters: the only values written into
it are table names checked against `NAME` and timestamps formatted here.
"""

from __future__ import annotations

import datetime as dt
import re

import msgspec
from piccolo.engine.postgres import PostgresEngine

from backend.kernel.partitions.months import add_months, default_partition, partition_name

NAME = re.compile(r"^[a-z_][a-z0-9_]{0,54}$")
_BOUND = re.compile(r"^FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)$")
# A nightly job must not queue behind a long report and stall every insert behind its lock.
LOCK_TIMEOUT = "10s"


class Partition(msgspec.Struct, frozen=True):
    name: str
    start: dt.datetime
    end: dt.datetime


def checked(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(f"{name!r} is not a table name of ours")
    return name


def literal(moment: dt.datetime) -> str:
    return f"'{moment.astimezone(dt.UTC).isoformat()}'"


async def is_partitioned(engine: PostgresEngine, table: str) -> bool:
    rows = await engine.run_ddl(
        f"SELECT relkind::text AS relkind FROM pg_class WHERE oid = to_regclass('{checked(table)}')"
    )
    return bool(rows) and rows[0]["relkind"] == "p"


async def month_partitions(engine: PostgresEngine, table: str) -> list[Partition]:
    """The table's partitions with a range, oldest first (the default one has none)."""
    rows = await engine.run_ddl(
        "SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound "
        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        f"WHERE i.inhparent = '{checked(table)}'::regclass"
    )
    found = []
    for row in rows:
        bound = _BOUND.match(row["bound"])
        if bound is not None:
            start, end = (dt.datetime.fromisoformat(b) for b in bound.groups())
            found.append(Partition(row["name"], start, end))
    return sorted(found, key=lambda p: p.start)


async def has_default(engine: PostgresEngine, table: str) -> bool:
    rows = await engine.run_ddl(f"SELECT to_regclass('{default_partition(table)}') AS found")
    return rows[0]["found"] is not None


async def add_month(engine: PostgresEngine, table: str, column: str, start: dt.datetime) -> str:
    """Make the partition of the month starting at `start`. Rows of that month that the
    default partition took meanwhile move into it: attaching would fail while they are
    there. One transaction, so a failure leaves things as they were."""
    name = partition_name(checked(table), start)
    end = add_months(start, 1)
    default = default_partition(table)
    async with engine.transaction():
        await engine.run_ddl(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        await engine.run_ddl(
            f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        )
        if await has_default(engine, table):
            await engine.run_ddl(
                f'WITH moved AS (DELETE FROM "{default}" WHERE "{checked(column)}" >= '
                f'{literal(start)} AND "{column}" < {literal(end)} RETURNING *) '
                f'INSERT INTO "{name}" SELECT * FROM moved'
            )
        await engine.run_ddl(
            f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" '
            f"FOR VALUES FROM ({literal(start)}) TO ({literal(end)})"
        )
    return name


async def add_default(engine: PostgresEngine, table: str) -> str:
    name = default_partition(checked(table))
    await engine.run_ddl(f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" DEFAULT')
    return name


async def drop_month(engine: PostgresEngine, partition: Partition) -> None:
    async with engine.transaction():
        await engine.run_ddl(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        await engine.run_ddl(f'DROP TABLE "{checked(partition.name)}"')


async def trim_default(engine: PostgresEngine, table: str, column: str, cutoff: dt.datetime) -> int:
    """Delete the default partition's rows past their keep: it holds only rows dated
    outside every month's partition, normally none, so this is a small delete."""
    rows = await engine.run_ddl(
        f'WITH gone AS (DELETE FROM "{default_partition(checked(table))}" '
        f'WHERE "{checked(column)}" < {literal(cutoff)} RETURNING 1) '
        "SELECT count(*) AS n FROM gone"
    )
    return int(rows[0]["n"])
