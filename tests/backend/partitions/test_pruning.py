"""Reads bounded in time touch only the months they name: PostgreSQL's plan for the app's
own queries (tracing by scans, a place's visitors, an event's timeline) lists no other
partition."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from backend.kernel.clock import utc_now
from backend.kernel.db import is_postgres
from backend.kernel.partitions import maintain
from backend.kernel.partitions.months import add_months, month_start, partition_name
from miniapps.grid_events import MINIAPP as GRID_EVENTS
from miniapps.grid_events.service import timeline_of
from miniapps.health_code.passes import passes_of
from miniapps.health_code.places import visits_at
from tests.backend.partitions.support import CHECK_INS, SCANS, month_names, plan_of

pytestmark = pytest.mark.skipif(not is_postgres(), reason="EXPLAIN of PostgreSQL's plans")


def _scanned(plan: str, table: str) -> set[str]:
    return set(re.findall(rf"\b{table}_(?:p\d{{4}}_\d{{2}}|default)\b", plan))


@pytest.fixture
async def months() -> dt.datetime:
    """Four months before this one exist too, so a read that is not pruned shows."""
    this_month = month_start(utc_now())
    for declared in (SCANS, CHECK_INS, *GRID_EVENTS.partitioned):
        await maintain(
            [declared], keeps={declared.table: None}, ahead=4, now=add_months(this_month, -4)
        )
    assert len(await month_names(SCANS.table)) >= 5
    return this_month


async def test_tracing_reads_only_the_scans_of_its_window(months: dt.datetime) -> None:
    since = months + dt.timedelta(days=2)
    plan = await plan_of(passes_of("s" * 32, since, since + dt.timedelta(days=7)))
    assert _scanned(plan, SCANS.table) == {partition_name(SCANS.table, months)}, plan


async def test_a_window_across_two_months_reads_those_two(months: dt.datetime) -> None:
    since = months - dt.timedelta(days=3)
    plan = await plan_of(passes_of("s" * 32, since, since + dt.timedelta(days=7)))
    expected = {
        partition_name(SCANS.table, add_months(months, -1)),
        partition_name(SCANS.table, months),
    }
    assert _scanned(plan, SCANS.table) == expected, plan


async def test_a_places_visitors_read_only_the_check_ins_of_its_window(months: dt.datetime) -> None:
    since = add_months(months, -2) + dt.timedelta(days=10)
    plan = await plan_of(visits_at(7, since, since + dt.timedelta(days=5), after=None, limit=51))
    assert _scanned(plan, CHECK_INS.table) == {
        partition_name(CHECK_INS.table, add_months(months, -2))
    }, plan


async def test_an_events_timeline_skips_the_months_before_the_event(months: dt.datetime) -> None:
    [timeline] = GRID_EVENTS.partitioned
    created = add_months(months, -1) + dt.timedelta(days=20)
    plan = await plan_of(timeline_of({"id": 7, "created_at": created}))
    read = _scanned(plan, timeline.table)
    assert partition_name(timeline.table, add_months(months, -1)) in read, plan
    assert not read & {partition_name(timeline.table, add_months(months, -k)) for k in (2, 3, 4)}
