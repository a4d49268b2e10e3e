"""Rows dated where a test wants them, and where PostgreSQL keeps them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.query import Select

from backend.kernel.db import current_engine, fetch_rows
from backend.kernel.partitions import TimePartitioned
from backend.kernel.partitions.catalogue import month_partitions
from miniapps.health_code.retention import PARTITIONED
from miniapps.health_code.tables import Scan

SCANS: TimePartitioned = PARTITIONED[0]
CHECK_INS: TimePartitioned = PARTITIONED[1]


async def scan_at(at: dt.datetime, subject: str = "s" * 32) -> int:
    [row] = await Scan.insert(
        Scan(
            place="东门",
            scanner_id=1,
            scanner_scope="zz/gx",
            subject=subject,
            code_hash="h" * 64,
            valid=True,
            scanned_at=at,
        )
    )
    return int(row["id"])


async def partition_holding(table: str, row_id: int) -> str | None:
    """The partition a row lives in, or None when it is gone."""
    rows = await fetch_rows(
        f"SELECT tableoid::regclass::text AS part FROM {table} WHERE id = $1",
        row_id,
    )
    return str(rows[0]["part"]) if rows else None


async def month_names(table: str) -> set[str]:
    engine: Any = current_engine()
    return {partition.name for partition in await month_partitions(engine, table)}


async def plan_of(query: Select) -> str:
    """PostgreSQL's plan for a query as the app builds it, with the values it binds."""
    sql, args = query.querystrings[0].compile_string(engine_type="postgres")
    rows = await fetch_rows(f"EXPLAIN {sql}", *args)
    return "\n".join(str(row["QUERY PLAN"]) for row in rows)
