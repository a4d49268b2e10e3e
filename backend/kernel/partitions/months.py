"""Calendar months in UTC, as the partitions are cut."""

from __future__ import annotations

import datetime as dt


def month_start(moment: dt.datetime) -> dt.datetime:
    """Midnight UTC of the first day of the month `moment` falls in."""
    moment = moment.astimezone(dt.UTC)
    return dt.datetime(moment.year, moment.month, 1, tzinfo=dt.UTC)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` later (or earlier), the day clipped to the month."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def partition_name(table: str, start: dt.datetime) -> str:
    """`scan_p2026_12`: the partition of `table` for the month starting at `start`."""
    return f"{table}_p{start:%Y_%m}"


def default_partition(table: str) -> str:
    """The partition that takes rows no month's partition covers (far past or future)."""
    return f"{table}_default"
