"""What a part declares of a table whose rows pile up by time, and how long they are kept."""

from __future__ import annotations

import datetime as dt
import re

import msgspec
from piccolo.columns import Column, Timestamptz

from backend.kernel.partitions.months import add_months

# `28d` (days), `6m` (calendar months) or `forever`.
_SPAN = re.compile(r"^(?:(\d{1,5})([dm])|forever)$")


class Retention(msgspec.Struct, frozen=True, kw_only=True):
    """How long a row is kept at least: calendar months and days."""

    months: int = 0
    days: int = 0

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Rows dated before this are past their keep."""
        return add_months(now, -self.months) - dt.timedelta(days=self.days)


class TimePartitioned(msgspec.Struct, frozen=True, kw_only=True):
    """A table split by month of `by` on PostgreSQL, one plain table on SQLite. `keep` is
    how long a row is kept (None: for ever). On PostgreSQL a month's partition is dropped
    whole once its last day is past the keep, so a row lives between `keep` and `keep`
    plus a month; on SQLite rows past the keep are deleted."""

    by: Column  # a Timestamptz of the table (typed as Column: Timestamptz is a descriptor)
    keep: Retention | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.by, Timestamptz):
            raise TypeError(f"{self.by!r}: a table is split by a Timestamptz column")

    @property
    def table(self) -> str:
        return str(self.by._meta.table._meta.tablename)

    @property
    def column(self) -> str:
        return str(self.by._meta.db_column_name)


def parse_retention(text: str) -> Retention | None:
    """`28d`, `6m` or `forever` (None); ValueError for anything else."""
    found = _SPAN.match(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not <days>d, <months>m or forever")
    if found.group(1) is None:
        return None
    count = int(found.group(1))
    if count < 1:
        raise ValueError(f"{text!r}: keep rows at least one day")
    return Retention(days=count) if found.group(2) == "d" else Retention(months=count)


def parse_retentions(text: str) -> dict[str, Retention | None]:
    """`table=28d, other=forever` → each table's keep; ValueError naming the faulty item."""
    kept: dict[str, Retention | None] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        table, sep, span = item.partition("=")
        if not sep or not table.strip():
            raise ValueError(f"{item!r} is not table=<keep>")
        kept[table.strip()] = parse_retention(span)
    return kept
