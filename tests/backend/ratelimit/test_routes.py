"""Routes held to their quotas, on the embedded default's in-process limiter: the 429 a
refusal is, per-user and per-address limits counted apart, addresses taken from the
socket unless a trusted proxy forwards them, and nothing changed by a refused request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar

from auth.sessions import grant_for
from backend.app import create_app
from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.errors import PROBLEM_MEDIA_TYPE
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from miniapps.grid_events.tables import GridEvent
from tests.conftest import bearer
from tests.support import LimiterClock, auth_of, limits_on_clock, running

RESIDENT, G07_WORKER = "13800000001", "13800000003"
EVENTS = "/v1/miniapps/grid_events/events"
DOCUMENT = Path(__file__).resolve().parents[3] / "openapi" / "openapi.json"


async def _token(app: Litestar, vault: Vault, phone: str) -> dict[str, str]:
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    user = (
        await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup).first()
    )
    assert user is not None
    token, _ = auth_of(app).tokens.issue(await grant_for(user["id"]))
    return bearer(str(token))


def _from(app: Litestar, address: str) -> httpx.AsyncClient:
    """A client whose requests arrive from `address` (the socket's peer)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def limited(settings: Settings, demo: None) -> AsyncIterator[Litestar]:
    """An app with small limits, on a clock the test moves."""
    app = create_app(
        msgspec.structs.replace(
            settings,
            rate_public_per_address="3/m",
            rate_reports_per_user="2/h",
            rate_reports_per_address="3/h",
            trusted_proxies="10.0.0.1, 10.9.0.0/16",
        )
    )
    async with running(app):
        yield app


def _alert(n: int) -> dict[str, Any]:
    """An elderly alert in g07, each `n` far enough from the others to be no repeat."""
    return {
        "category": "elderly_alert",
        "description": "独居老人求助",
        "lat": 34.801 + n * 0.002,
        "lon": 113.561,
    }


async def test_a_refusal_is_429_with_retry_after_and_a_problem(limited: Litestar) -> None:
    async with _from(limited, "192.0.2.1") as client:
        answered = [await client.get("/healthz") for _ in range(4)]
    assert [a.status_code for a in answered] == [200, 200, 200, 429]
    refused = answered[-1]
    assert refused.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    # Three a minute: the next one 20 s after the first, in whole seconds.
    assert refused.headers["retry-after"] == "20"
    problem = refused.json()
    assert (problem["status"], problem["code"]) == (429, "rate_limited")
    assert problem["type"].endswith("/rate_limited")
    assert "20" in problem["title"]


async def test_each_address_has_its_own_count(limited: Litestar) -> None:
    async with _from(limited, "192.0.2.1") as one, _from(limited, "192.0.2.2") as other:
        assert [(await one.get("/healthz")).status_code for _ in range(4)][-1] == 429
        assert (await other.get("/healthz")).status_code == 200


async def test_per_user_and_per_address_limits_are_independent(
    limited: Litestar, vault: Vault
) -> None:
    resident = await _token(limited, vault, RESIDENT)
    worker = await _token(limited, vault, G07_WORKER)
    async with _from(limited, "192.0.2.1") as home, _from(limited, "192.0.2.2") as street:
        by_resident = [await home.post(EVENTS, json=_alert(n), headers=resident) for n in range(3)]
        # The resident's own limit (2 an hour) refused: the address has one report left.
        assert [a.status_code for a in by_resident] == [201, 201, 429]
        assert by_resident[-1].headers["retry-after"] == "1800"
        from_home = [await home.post(EVENTS, json=_alert(n), headers=worker) for n in (3, 4)]
        # The worker's first is the address's third; its fourth is refused by the address.
        assert [a.status_code for a in from_home] == [201, 429]
        assert from_home[-1].headers["retry-after"] == "1200"
        # Elsewhere the worker has one report of their own left, and no more.
        from_street = [await street.post(EVENTS, json=_alert(n), headers=worker) for n in (5, 6)]
        assert [a.status_code for a in from_street] == [201, 429]
        assert from_street[-1].headers["retry-after"] == "1800"


async def test_a_refused_request_changes_nothing(limited: Litestar, vault: Vault) -> None:
    clock: LimiterClock = limits_on_clock(limited)
    resident = await _token(limited, vault, RESIDENT)
    async with _from(limited, "192.0.2.1") as client:
        for n in range(2):
            assert (await client.post(EVENTS, json=_alert(n), headers=resident)).status_code == 201
        events, outbox = await GridEvent.count(), await OutboxEvent.count()
        for n in range(2, 5):
            refused = await client.post(EVENTS, json=_alert(n), headers=resident)
            assert refused.status_code == 429
        assert (await GridEvent.count(), await OutboxEvent.count()) == (events, outbox)
        # Nor were the refusals counted: one interval later, exactly one more is allowed.
        clock.advance(1800)
        assert (await client.post(EVENTS, json=_alert(5), headers=resident)).status_code == 201
        assert (await client.post(EVENTS, json=_alert(6), headers=resident)).status_code == 429


async def test_forwarded_for_counts_only_from_a_trusted_proxy(limited: Litestar) -> None:
    async with _from(limited, "192.0.2.1") as direct:
        # Anyone may send the header; from an untrusted peer it is ignored.
        spoofed = [
            await direct.get("/healthz", headers={"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(4)
        ]
        assert [a.status_code for a in spoofed] == [200, 200, 200, 429]
    async with _from(limited, "10.0.0.1") as proxy:
        # The proxy names the client: one client's count, whatever it wrote itself.
        forwarded = [
            await proxy.get("/healthz", headers={"X-Forwarded-For": f"6.6.6.{n}, 203.0.113.9"})
            for n in range(4)
        ]
        assert [a.status_code for a in forwarded] == [200, 200, 200, 429]
        # Through a second trusted proxy the client is the nearest hop that is no proxy.
        chained = await proxy.get("/healthz", headers={"X-Forwarded-For": "203.0.113.10, 10.9.4.4"})
        assert chained.status_code == 200
        assert (await proxy.get("/healthz")).status_code == 200  # the proxy's own count


def test_every_route_open_without_login_declares_its_limit() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    unguarded = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if {} in operation.get("security", []) and "429" not in operation["responses"]:
                unguarded.append(f"{method.upper()} {path}")
    assert not unguarded, f"open routes with no rate limit: {unguarded}"


def test_reports_and_scans_declare_their_limit() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    limited = {
        op["operationId"]: op["responses"].get("429", {}).get("x-problem-codes", [])
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for operation in ("ReportEvent", "Open311CreateRequest", "ScanHealthCode", "LogIn"):
        assert "rate_limited" in limited[operation], operation
    assert "GetLauncher" not in [name for name, codes in limited.items() if codes]
