"""Tables whose rows pile up by time, split by month on PostgreSQL: each part declares its
own (`TimePartitioned`), the host's nightly cron makes the coming months' partitions and
drops those past their keep, and a migration converts an existing table once."""

from backend.kernel.partitions.conversion import ConversionRefused, partition_by_month
from backend.kernel.partitions.declaration import (
    Retention,
    TimePartitioned,
    parse_retention,
    parse_retentions,
)
from backend.kernel.partitions.maintenance import TableCare, maintain

__all__ = [
    "ConversionRefused",
    "Retention",
    "TableCare",
    "TimePartitioned",
    "maintain",
    "parse_retention",
    "parse_retentions",
    "partition_by_month",
]
