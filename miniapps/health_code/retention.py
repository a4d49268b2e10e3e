"""How long a checkpoint scan is kept for tracing."""

from __future__ import annotations

import datetime as dt

from miniapps.health_code.tables import Scan

RETENTION = dt.timedelta(days=28)


async def forget_old_scans() -> int:
    cutoff = dt.datetime.now(dt.UTC) - RETENTION
    gone = await Scan.delete().where(Scan.scanned_at < cutoff).returning(Scan.id)
    return len(gone)
