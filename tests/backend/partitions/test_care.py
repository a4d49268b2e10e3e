"""On PostgreSQL the nightly care makes the coming months ahead, drops months past their
keep with their rows and nothing newer, and no insert fails for want of a partition."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar

from backend.directory.users.tables import AuditEntry
from backend.host import PARTITIONS, all_crons, job_functions
from backend.kernel.clock import utc_now
from backend.kernel.db import current_engine, is_postgres
from backend.kernel.partitions import maintain
from backend.kernel.partitions.months import add_months, month_start, partition_name
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from miniapps.health_code.tables import Scan
from tests.backend.partitions.support import SCANS, month_names, partition_holding, scan_at
from tests.conftest import Client

pytestmark = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's partitions")

FAR_PAST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


async def _care(app: Litestar) -> None:
    host = services_of(app)
    await job_functions(host.registry)[PARTITIONS]({"services": host})


async def test_the_nightly_care_is_a_cron_of_the_host(app: Litestar, client: Client) -> None:
    assert PARTITIONS in dict(all_crons(services_of(app).registry))


async def test_the_care_makes_this_month_and_the_next_ones_for_every_table(
    app: Litestar, client: Client, settings: Settings
) -> None:
    this_month = month_start(utc_now())
    following = partition_name(SCANS.table, add_months(this_month, 1))
    await current_engine().run_ddl(f'DROP TABLE IF EXISTS "{following}"')

    await _care(app)

    for declared in services_of(app).registry.partitioned():
        wanted = {
            partition_name(declared.table, add_months(this_month, offset))
            for offset in range(settings.partitions_ahead + 1)
        }
        assert wanted <= await month_names(declared.table), declared.table


async def test_an_expired_month_is_dropped_and_this_month_kept_with_its_rows(
    app: Litestar, client: Client
) -> None:
    this_month = month_start(utc_now())
    expired = add_months(this_month, -3)
    await maintain([SCANS], keeps={}, ahead=0, now=expired)  # that month existed then
    old = await scan_at(expired + dt.timedelta(days=1))
    fresh = await scan_at(utc_now())
    assert await partition_holding(SCANS.table, old) == partition_name(SCANS.table, expired)

    await _care(app)

    assert partition_name(SCANS.table, expired) not in await month_names(SCANS.table)
    assert await partition_holding(SCANS.table, old) is None
    assert partition_name(SCANS.table, this_month) in await month_names(SCANS.table)
    assert await partition_holding(SCANS.table, fresh) == partition_name(SCANS.table, this_month)


async def test_a_month_is_kept_until_its_last_day_is_past_the_keep(client: Client) -> None:
    this_month = month_start(utc_now())
    last_month = add_months(this_month, -1)
    await maintain([SCANS], keeps={}, ahead=0, now=last_month)
    late = await scan_at(this_month - dt.timedelta(hours=1))

    # 27 days into this month, last month's last scan is 27 days old: all of it stays.
    await maintain([SCANS], keeps={}, ahead=0, now=this_month + dt.timedelta(days=27))
    assert await partition_holding(SCANS.table, late) == partition_name(SCANS.table, last_month)

    await maintain([SCANS], keeps={}, ahead=0, now=this_month + dt.timedelta(days=29))
    assert partition_name(SCANS.table, last_month) not in await month_names(SCANS.table)


async def test_rows_dated_far_outside_every_month_are_taken_and_read_by_id(
    app: Litestar, client: Client
) -> None:
    past, future = await scan_at(FAR_PAST), await scan_at(FAR_FUTURE)
    [audit] = await AuditEntry.insert(AuditEntry(actor_id=1, action="test.far", at=FAR_FUTURE))

    for row_id in (past, future):
        assert await Scan.select(Scan.id).where(Scan.id == row_id).first() == {"id": row_id}
        assert await partition_holding(SCANS.table, row_id) == f"{SCANS.table}_default"
    assert await AuditEntry.count().where(AuditEntry.id == audit["id"]) == 1

    await _care(app)  # the default's rows past the keep go; the future one stays

    assert await partition_holding(SCANS.table, past) is None
    assert await partition_holding(SCANS.table, future) == f"{SCANS.table}_default"


async def test_a_month_made_later_takes_its_rows_from_the_default_partition(
    client: Client,
) -> None:
    month = dt.datetime(2099, 6, 1, tzinfo=dt.UTC)
    early = await scan_at(month + dt.timedelta(days=14))

    await maintain([SCANS], keeps={SCANS.table: None}, ahead=0, now=month)

    assert await partition_holding(SCANS.table, early) == partition_name(SCANS.table, month)
    assert await scan_at(month + dt.timedelta(days=15)) > early


async def test_a_second_run_changes_nothing(app: Litestar, client: Client) -> None:
    await _care(app)
    tables = services_of(app).registry.partitioned()
    again = await maintain(tables, keeps={}, ahead=3, now=utc_now())
    assert all(not care.created and not care.dropped for care in again)
