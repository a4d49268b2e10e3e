"""The nightly care of the partitioned tables: next months made ahead, old months dropped.

On PostgreSQL every declared table gets its partitions for this month and the `ahead`
months after it, so no insert waits for one (a row dated outside them all lands in the
default partition instead of failing), and its months wholly past the keep are dropped:
one statement, no dead rows left for vacuum. On SQLite the tables are plain and rows past
the keep are deleted. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import logging

import msgspec
from piccolo.engine.postgres import PostgresEngine

from backend.kernel.partitions import catalogue
from backend.kernel.partitions.declaration import Retention, TimePartitioned
from backend.kernel.partitions.months import add_months, month_start

log = logging.getLogger(__name__)


class TableCare(msgspec.Struct, kw_only=True):
    """What one run did to one table."""

    table: str
    created: list[str] = []
    dropped: list[str] = []
    deleted_rows: int = 0


async def maintain(
    tables: list[TimePartitioned],
    *,
    keeps: dict[str, Retention | None],
    ahead: int,
    now: dt.datetime,
) -> list[TableCare]:
    """Care for each table; `keeps` holds each table's keep, by name."""
    cared = []
    for declared in tables:
        keep = keeps.get(declared.table, declared.keep)
        engine = declared.by._meta.table._meta.db
        if isinstance(engine, PostgresEngine) and await catalogue.is_partitioned(
            engine, declared.table
        ):
            care = await _care_for_partitions(engine, declared, keep, ahead=ahead, now=now)
        else:
            care = await _delete_past_keep(declared, keep, now=now)
        cared.append(care)
    return cared


async def _care_for_partitions(
    engine: PostgresEngine,
    declared: TimePartitioned,
    keep: Retention | None,
    *,
    ahead: int,
    now: dt.datetime,
) -> TableCare:
    table, column = declared.table, declared.column
    care = TableCare(table=table)
    have = {p.start for p in await catalogue.month_partitions(engine, table)}
    this_month = month_start(now)
    for offset in range(ahead + 1):
        start = add_months(this_month, offset)
        if start not in have:
            care.created.append(await catalogue.add_month(engine, table, column, start))
    if not await catalogue.has_default(engine, table):
        care.created.append(await catalogue.add_default(engine, table))
    if keep is not None:
        cutoff = keep.cutoff(now)
        for partition in await catalogue.month_partitions(engine, table):
            if partition.end <= cutoff:
                await catalogue.drop_month(engine, partition)
                care.dropped.append(partition.name)
        care.deleted_rows = await catalogue.trim_default(engine, table, column, cutoff)
    if care.created or care.dropped:
        log.info("partitions of %s: made %s, dropped %s", table, care.created, care.dropped)
    return care


async def _delete_past_keep(
    declared: TimePartitioned, keep: Retention | None, *, now: dt.datetime
) -> TableCare:
    care = TableCare(table=declared.table)
    if keep is not None:
        table = declared.by._meta.table
        gone = await (
            table.delete().where(declared.by < keep.cutoff(now)).returning(table._meta.primary_key)
        )
        care.deleted_rows = len(gone)
    return care
