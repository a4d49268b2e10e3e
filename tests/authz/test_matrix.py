"""Walk the authorization matrix (`tests/authz/matrix.py`): every route has a row, every row
names a route, every row has a positive control, and every cell answers as its row says."""

from __future__ import annotations

import functools

import pytest
from litestar import Litestar

from backend.app import create_app
from backend.kernel.settings import Settings
from tests.authz.city import City
from tests.authz.matrix import Caller, Row, relation
from tests.authz.rows import ROWS

Route = tuple[str, str]


@functools.cache
def _routes_of(app: Litestar) -> frozenset[Route]:
    """Every (method, path template) the app answers, but its API docs and the OPTIONS
    answers Litestar adds to every path by itself."""
    found = set()
    for route in app.routes:
        if route.path == "/schema" or route.path.startswith("/schema/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.fn.__module__.startswith("litestar."):
                continue
            found |= {(method, route.path) for method in handler.http_methods}
    return frozenset(found)


@pytest.fixture(scope="module")
def routes(settings: Settings) -> frozenset[Route]:
    return _routes_of(create_app(settings))


def test_every_route_has_a_row(routes: frozenset[Route]) -> None:
    covered = {row.route for row in ROWS}
    missing = sorted(routes - covered)
    assert not missing, f"routes without a row in tests/authz/rows/: {missing}"


def test_every_row_names_a_route(routes: frozenset[Route]) -> None:
    unknown = sorted({row.name for row in ROWS if row.route not in routes})
    assert not unknown, f"rows for routes the app does not have: {unknown}"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_every_row_has_a_positive_control(row: Row) -> None:
    assert row.has_positive_control(), "no caller is allowed anything"
    assert set(row.expect) <= set(row.targets), "expectations for targets the row does not build"


async def _walk(city: City, row: Row) -> list[str]:
    mismatches = []
    for name, make in row.targets.items():
        shared = await make(city, Caller.ANONYMOUS) if row.reuses(make) else None
        for caller in Caller:
            target = shared or await make(city, caller)
            request = await row.request(city, target, caller)
            response = await city.send(caller, row.method, row.path, request)
            wanted = row.outcome(name, caller)
            problem = None
            if response.status_code not in wanted:
                code = ""
                if response.headers.get("content-type", "").startswith("application/problem"):
                    code = f" ({response.json().get('code')})"
                problem = f"expected {'/'.join(map(str, wanted))}, got {response.status_code}{code}"
            elif row.check is not None and response.is_success:
                problem = await row.check(city, target, caller, response)
            if problem:
                where = relation(caller, target)
                mismatches.append(f"{caller} on {name!r} ({where}): {problem}")
    return mismatches


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
async def test_every_cell_answers_as_its_row_says(city: City, row: Row) -> None:
    try:
        mismatches = await _walk(city, row)
    finally:
        if row.after is not None:
            await row.after(city)
    assert not mismatches, f"{row.name}:\n" + "\n".join(mismatches)
