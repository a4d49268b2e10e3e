"""Guards that mini-apps use, and the promise that authorization reads no database row."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar, get
from litestar.params import FromQuery

from backend.app import create_app
from backend.kernel.db import current_engine
from backend.kernel.guards import path_param, requires_role, requires_scope
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenFor, bearer
from tests.support import running


@get("/grid-queue", guards=[requires_scope(path_param("grid"), Role.GRID_WORKER)])
async def grid_queue(grid: FromQuery[str]) -> str:
    return grid


@get("/merchants-only", guards=[requires_role(Role.MERCHANT)])
async def merchants_only() -> str:
    return "ok"


@pytest.fixture
async def guarded(settings: Settings, demo: None) -> AsyncIterator[Client]:
    app = create_app(settings)
    app.register(grid_queue)
    app.register(merchants_only)
    async with running(app) as client:
        yield client


async def test_requires_scope_is_a_prefix_test(guarded: Client, token_for: TokenFor) -> None:
    worker = bearer(await token_for(Role.GRID_WORKER))
    assert (await guarded.get("/grid-queue?grid=zz/gx/fengyang/c03/g07", headers=worker)).is_success
    assert (
        await guarded.get("/grid-queue?grid=zz/gx/fengyang/c03/g08", headers=worker)
    ).status_code == 403
    assert (
        await guarded.get("/grid-queue?grid=zz/gx/fengyang/c03/g0", headers=worker)
    ).status_code == 403


async def test_requires_scope_counts_only_the_named_roles(
    guarded: Client, token_for: TokenFor
) -> None:
    """A community admin holds g07's community, but not as a grid worker."""
    admin = bearer(await token_for(Role.COMMUNITY_ADMIN))
    response = await guarded.get("/grid-queue?grid=zz/gx/fengyang/c03/g07", headers=admin)
    assert response.status_code == 403
    assert response.json()["code"] == "scope_not_allowed"


async def test_requires_role(guarded: Client, token_for: TokenFor) -> None:
    assert (
        await guarded.get("/merchants-only", headers=bearer(await token_for(Role.MERCHANT)))
    ).is_success
    refused = await guarded.get("/merchants-only", headers=bearer(await token_for(Role.LAWYER)))
    assert refused.status_code == 403
    assert (await guarded.get("/merchants-only")).status_code == 401


async def test_authorizing_a_request_reads_no_database_row(
    client: Client, token_for: TokenFor, app: Litestar, capsys: pytest.CaptureFixture[str]
) -> None:
    token = await token_for(Role.GRID_WORKER)
    await client.get("/v1/me", headers=bearer(token))  # first sight verifies the signature
    engine = current_engine()
    capsys.readouterr()
    engine.log_queries = True
    try:
        for _ in range(3):
            assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
        other = await token_for(Role.MERCHANT)
        capsys.readouterr()
        assert (await client.get("/v1/me", headers=bearer(other))).status_code == 200
    finally:
        engine.log_queries = False
    assert capsys.readouterr().out == ""
