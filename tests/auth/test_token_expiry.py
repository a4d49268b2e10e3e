"""An expired access token says so (refresh, don't log in again), and every 401 challenges
for a bearer token as RFC 6750 describes."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import jwt
import pytest
from litestar import Litestar

from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenFor, bearer
from tests.support import auth_of

EXPIRED = (
    'Bearer realm="yimen", error="invalid_token", '
    'error_description="The access token has expired; refresh it"'
)
NO_TOKEN = 'Bearer realm="yimen"'


def _token(app: Litestar, settings: Settings, *, iat: int, exp: int) -> str:
    claims: dict[str, Any] = {
        "sub": "1",
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": iat,
        "exp": exp,
        "jti": "expiry",
        "roles": ["resident"],
    }
    signer = auth_of(app).keys.signer
    return jwt.encode(claims, signer.private, algorithm="ES256", headers={"kid": signer.kid})


async def test_an_expired_token_is_token_expired(
    client: Client, app: Litestar, settings: Settings
) -> None:
    now = int(time.time())
    response = await client.get(
        "/v1/me",
        headers={
            **bearer(_token(app, settings, iat=now - 700, exp=now - 60)),
            "Accept-Language": "en",
        },
    )
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "token_expired"
    assert response.json()["title"] == "The access token has expired; refresh it"
    assert response.headers["www-authenticate"] == EXPIRED


async def test_a_token_issued_by_login_expires_as_token_expired(
    client: Client, app: Litestar, token_for: TokenFor, settings: Settings
) -> None:
    """The real issuer's token, past its lifetime plus the leeway for clock skew."""
    token = await token_for(Role.RESIDENT)
    payload = jwt.decode(token, options={"verify_signature": False})
    stale = _token(app, settings, iat=payload["iat"] - 3600, exp=payload["iat"] - 10)
    response = await client.get("/v1/launcher", headers=bearer(stale))
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


async def test_a_cached_token_is_not_served_past_its_expiry(
    client: Client, app: Litestar, settings: Settings
) -> None:
    """Its claims were cached while it was valid; once it expires (past the 5 s leeway for
    clock skew) the cache must not answer for it."""
    now = time.time()
    token = _token(app, settings, iat=int(now) - 100, exp=int(now) - 3)
    assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
    await asyncio.sleep(max(0.0, int(now) - 3 + 5 - time.time()) + 0.2)
    for _ in range(2):  # the first refusal leaves the claims cached: the second too is refused
        refused = await client.get("/v1/me", headers=bearer(token))
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_expired"
        assert refused.headers["www-authenticate"] == EXPIRED


async def test_a_revoked_token_is_challenged_as_invalid(
    client: Client, token_for: TokenFor
) -> None:
    worker = await token_for(Role.GRID_WORKER)
    admin = await token_for(Role.COMMUNITY_ADMIN)
    worker_id = (await client.get("/v1/me", headers=bearer(worker))).json()["user_id"]
    await client.post(f"/v1/admin/users/{worker_id}/revoke", headers=bearer(admin))
    refused = await client.get("/v1/me", headers=bearer(worker))
    assert refused.json()["code"] == "token_revoked"
    assert refused.headers["www-authenticate"] == (
        'Bearer realm="yimen", error="invalid_token", '
        'error_description="This session was revoked; log in again"'
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/me"),
        ("GET", "/v1/launcher"),
        ("GET", "/v1/inbox"),
        ("GET", "/v1/miniapps/health_code/status"),
        ("GET", "/v1/miniapps/grid_events/events"),
    ],
)
async def test_a_request_without_a_token_is_challenged(
    client: Client, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthenticated"
    assert response.headers["www-authenticate"] == NO_TOKEN


async def test_refused_logins_and_refreshes_are_challenged_too(client: Client) -> None:
    """HTTP requires a challenge on every 401, whatever refused the request."""
    login = await client.post("/v1/auth/login", json={"phone": "13900000009", "code": "123456"})
    refresh = await client.post("/v1/auth/refresh", json={"refresh_token": "x" * 43})
    for response, code in [(login, "otp_invalid"), (refresh, "refresh_invalid")]:
        assert response.status_code == 401, response.text
        assert response.json()["code"] == code
        assert response.headers["www-authenticate"] == NO_TOKEN
