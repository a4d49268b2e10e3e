"""How long tracing data is kept: checkpoint scans and place check-ins, 28 days (the
incubation window tracing looks back over), split by month on PostgreSQL."""

from __future__ import annotations

from backend.sdk import Retention, TimePartitioned
from miniapps.health_code.tables import CheckIn, Scan

TRACING_KEEP = Retention(days=28)

PARTITIONED = [
    TimePartitioned(by=Scan.scanned_at, keep=TRACING_KEEP),
    TimePartitioned(by=CheckIn.at, keep=TRACING_KEEP),
]
