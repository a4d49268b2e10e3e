"""On SQLite the same care leaves the tables plain and deletes rows past their keep."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar

from backend.host import PARTITIONS, job_functions
from backend.kernel.clock import utc_now
from backend.kernel.db import is_postgres
from backend.kernel.services import services_of
from miniapps.health_code.tables import Scan
from tests.backend.partitions.support import scan_at
from tests.conftest import Client

pytestmark = pytest.mark.skipif(is_postgres(), reason="SQLite's plain tables")


async def test_the_care_deletes_scans_past_their_keep_and_keeps_the_rest(
    app: Litestar, client: Client
) -> None:
    await scan_at(utc_now() - dt.timedelta(days=29))
    fresh = await scan_at(utc_now() - dt.timedelta(days=27))
    future = await scan_at(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    host = services_of(app)

    cared = await job_functions(host.registry)[PARTITIONS]({"services": host})

    assert [row["id"] for row in await Scan.select(Scan.id).order_by(Scan.id)] == [fresh, future]
    assert all(not care.created and not care.dropped for care in cared)
    assert {care.table: care.deleted_rows for care in cared}["health_code_scan"] == 1
