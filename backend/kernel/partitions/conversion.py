"""Turning a plain PostgreSQL table into one partitioned by month, for a migration.

Run inside the migration's transaction: the old table is renamed aside, a partitioned one
takes its name, its columns, defaults and checks, its id sequence and its indexes, every
row moves across into its month's partition, and the old one is dropped. The primary key
becomes (id, the time column): PostgreSQL wants every unique index of a partitioned table
to hold its partition key, and a lookup by id alone still walks the key's index. A unique
index without the time column, or a foreign key pointing at the table, cannot survive the
change: the conversion refuses them by name rather than quietly drop them.
"""

from __future__ import annotations

import datetime as dt

from piccolo.engine.postgres import PostgresEngine

from backend.kernel.partitions import catalogue
from backend.kernel.partitions.catalogue import checked
from backend.kernel.partitions.months import add_months, month_start

# Months of partitions made ahead at conversion; the nightly care keeps the settings' count.
AHEAD = 3


class ConversionRefused(Exception):
    """The table holds something a partitioned table cannot keep."""


async def partition_by_month(
    engine: PostgresEngine, table: str, column: str, *, now: dt.datetime | None = None
) -> None:
    """Convert `table` in place, partitioned by month of `column` (UTC months)."""
    table, column = checked(table), checked(column)
    if await catalogue.is_partitioned(engine, table):
        return
    await _refuse_references(engine, table)
    indexes = await _index_definitions(engine, table, column)
    foreign_keys = await _foreign_keys(engine, table)
    key = await _primary_key(engine, table)
    aside = f"{table}_unpartitioned"
    await engine.run_ddl(f'ALTER TABLE "{table}" RENAME TO "{aside}"')
    await engine.run_ddl(
        f'CREATE TABLE "{table}" (LIKE "{aside}" INCLUDING ALL EXCLUDING INDEXES) '
        f'PARTITION BY RANGE ("{column}")'
    )
    await catalogue.add_default(engine, table)
    for start in await _months_to_make(engine, aside, column, now or dt.datetime.now(dt.UTC)):
        await catalogue.add_month(engine, table, column, start)
    await engine.run_ddl(f'INSERT INTO "{table}" SELECT * FROM "{aside}"')
    await _move_sequences(engine, aside, table)
    await engine.run_ddl(f'DROP TABLE "{aside}"')
    columns = ", ".join(f'"{c}"' for c in (key if column in key else [*key, column]))
    await engine.run_ddl(
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY ({columns})'
    )
    for statement in [*indexes, *foreign_keys]:
        await engine.run_ddl(statement)


async def _refuse_references(engine: PostgresEngine, table: str) -> None:
    rows = await engine.run_ddl(
        "SELECT conname, conrelid::regclass::text AS source FROM pg_constraint "
        f"WHERE contype = 'f' AND confrelid = '{table}'::regclass"
    )
    if rows:
        named = ", ".join(f"{r['conname']} on {r['source']}" for r in rows)
        raise ConversionRefused(f"{table}: foreign keys point at it ({named}); drop them first")


async def _index_definitions(engine: PostgresEngine, table: str, column: str) -> list[str]:
    """Each index but the primary key's, as the statement that makes it again."""
    rows = await engine.run_ddl(
        "SELECT i.indisunique AS is_unique, c.relname AS name, pg_get_indexdef(i.indexrelid) "
        "AS definition, ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = "
        "i.indrelid AND a.attnum = ANY(i.indkey)) AS columns FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        f"WHERE i.indrelid = '{table}'::regclass AND NOT i.indisprimary ORDER BY c.relname"
    )
    for row in rows:
        if row["is_unique"] and column not in row["columns"]:
            raise ConversionRefused(
                f"{table}: unique index {row['name']} lacks {column}; make it hold {column}"
            )
    return [row["definition"] for row in rows]


async def _foreign_keys(engine: PostgresEngine, table: str) -> list[str]:
    """The foreign keys from the table to others, kept as they were."""
    rows = await engine.run_ddl(
        "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        f"WHERE contype = 'f' AND conrelid = '{table}'::regclass ORDER BY conname"
    )
    return [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{r["conname"]}" {r["definition"]}' for r in rows
    ]


async def _primary_key(engine: PostgresEngine, table: str) -> list[str]:
    rows = await engine.run_ddl(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        f"AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '{table}'::regclass "
        "AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)"
    )
    return [row["attname"] for row in rows]


async def _months_to_make(
    engine: PostgresEngine, table: str, column: str, now: dt.datetime
) -> list[dt.datetime]:
    """The months the rows already fall in, and this month and the few after it."""
    rows = await engine.run_ddl(
        f"SELECT DISTINCT date_trunc('month', \"{column}\" AT TIME ZONE 'UTC') AS month "
        f'FROM "{table}" WHERE "{column}" IS NOT NULL'
    )
    months = {row["month"].replace(tzinfo=dt.UTC) for row in rows}
    this_month = month_start(now)
    months |= {add_months(this_month, offset) for offset in range(AHEAD + 1)}
    return sorted(months)


async def _move_sequences(engine: PostgresEngine, old: str, new: str) -> None:
    """The id sequences belong to the old table's columns and would go with it."""
    rows = await engine.run_ddl(
        "SELECT s.relname AS sequence, a.attname AS column FROM pg_depend d "
        "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
        f"WHERE d.refobjid = '{old}'::regclass AND d.deptype = 'a'"
    )
    for row in rows:
        await engine.run_ddl(
            f'ALTER SEQUENCE "{row["sequence"]}" OWNED BY "{new}"."{row["column"]}"'
        )
