"""The worklist at scale on PostgreSQL: over 20,000 open cases in 10 districts of 5 streets,
a district's, a street's and a community's first page are read from a work index in due
order (an index scan under the limit, no sort of the set), and a city-wide page merges one
bounded range per district."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from backend.kernel.db import fetch_rows, insert_rows, is_postgres
from backend.kernel.roles import Role
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application
from miniapps.gov_services.worklist import DISTRICT, STREET, Branch, Filters, statement

DISTRICTS, STREETS, PER_STREET = 10, 5, 400
START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
STATUSES = (Status.SUBMITTED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.DECIDED)
NO_FILTERS = Filters(None, None, None)

pytestmark = pytest.mark.skipif(not is_postgres(), reason="EXPLAIN of PostgreSQL's plans")


@pytest.fixture
async def open_cases() -> None:
    columns = (
        Application.ref_no,
        Application.applicant_id,
        Application.item_id,
        Application.item_version_id,
        Application.status,
        Application.current_step,
        Application.step_role,
        Application.assignee_org,
        Application.assignee_district,
        Application.assignee_street,
        Application.place_path,
        Application.due_at,
    )
    rows = list(_rows())
    for start in range(0, len(rows), 5_000):
        await insert_rows(Application, columns, rows[start : start + 5_000])
    await fetch_rows("ANALYZE gov_services_application")


def _rows() -> Iterator[tuple[Any, ...]]:
    n = 0
    for d in range(DISTRICTS):
        for s in range(STREETS):
            street = f"zz/d{d}/s{s}"
            for _ in range(PER_STREET):
                n += 1
                status = STATUSES[n % len(STATUSES)]
                later = dt.timedelta(minutes=n * 7919 % 90_000)
                due = None if status is Status.SUBMITTED else START + later
                yield (
                    f"P{n:08d}",
                    n,
                    1,
                    1,
                    status,
                    "review",
                    Role.SERVICE_OFFICER,
                    street,
                    f"zz/d{d}",
                    street,
                    f"{street}/c1",
                    due,
                )


async def _plan(branches: list[Branch]) -> dict[str, Any]:
    sql, args = statement(branches, NO_FILTERS, None, dated=True, limit=21)
    rows = await fetch_rows(f"EXPLAIN (FORMAT JSON) {sql}", *args)
    found = rows[0]["QUERY PLAN"]
    plan: dict[str, Any] = (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]
    return plan


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The reads of a table (not of a subquery)."""
    return [node for node in _nodes(plan) if "Relation Name" in node]


@pytest.mark.parametrize(
    ("branch", "index"),
    [
        (Branch(Role.SERVICE_OFFICER, DISTRICT, "zz/d3"), "gov_services_application_work"),
        (Branch(Role.SERVICE_OFFICER, STREET, "zz/d3/s2"), "gov_services_application_street_work"),
        (
            Branch(Role.SERVICE_OFFICER, STREET, "zz/d3/s2", within="zz/d3/s2/c1"),
            "gov_services_application_street_work",
        ),
    ],
    ids=["district", "street", "community"],
)
async def test_a_page_is_read_in_order_from_a_work_index(
    open_cases: None, branch: Branch, index: str
) -> None:
    plan = await _plan([branch])
    assert plan["Node Type"] == "Limit", plan
    scans = _scans(plan)
    assert [s["Node Type"] for s in scans] in (["Index Scan"], ["Index Only Scan"]), plan
    assert scans[0]["Index Name"] == index, plan
    assert not [n for n in _nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")], plan


async def test_a_city_wide_page_merges_one_bounded_range_per_district(
    open_cases: None,
) -> None:
    branches = [Branch(Role.SERVICE_OFFICER, DISTRICT, f"zz/d{d}") for d in range(DISTRICTS)]
    plan = await _plan(branches)
    scans = _scans(plan)
    assert len(scans) == DISTRICTS, plan
    assert {s["Index Name"] for s in scans} == {"gov_services_application_work"}, plan
    # Whatever merges the ranges (a merge of ordered streams, or a sort) takes at most a
    # page from each: every scan sits under a limit of its own.
    limits = [n for n in _nodes(plan) if n["Node Type"] == "Limit"]
    under_limits = [s for limit in limits for s in _scans(limit) if limit is not plan]
    assert len(under_limits) == DISTRICTS, plan
