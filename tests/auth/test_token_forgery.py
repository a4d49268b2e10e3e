"""Every forged or stale access token is refused with a 401 problem."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from litestar import Litestar

from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenFor, bearer
from tests.support import auth_of


class _At(int):
    """A time given relative to when the token is made, not to when tests are collected
    (a slow run would otherwise make a future `nbf` a past one)."""


_PAST = _At(-60)
_LATER = _At(600)


def _claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    overrides = {k: now + v if isinstance(v, _At) else v for k, v in overrides.items()}
    claims = {
        "sub": "1",
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "exp": now + 600,
        "jti": "x",
        "roles": ["platform_admin"],
        "scope": {"platform_admin": ["zz"]},
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(app: Litestar, claims: dict[str, Any], **headers: Any) -> str:
    signer = auth_of(app).keys.signer
    return jwt.encode(
        claims, signer.private, algorithm="ES256", headers={"kid": signer.kid, **headers}
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def _assert_refused(client: Client, token: str) -> None:
    """Refused as not valid: a client must log in again, not refresh."""
    response = await client.get("/v1/me", headers=bearer(token))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "token_invalid"
    assert response.headers["www-authenticate"].startswith(
        'Bearer realm="yimen", error="invalid_token", error_description="'
    )


async def test_a_genuine_token_passes(client: Client, app: Litestar, settings: Settings) -> None:
    response = await client.get("/v1/me", headers=bearer(_sign(app, _claims(settings))))
    assert response.status_code == 200
    assert response.json()["roles"] == ["platform_admin"]


async def test_alg_none_is_refused(client: Client, app: Litestar, settings: Settings) -> None:
    kid = auth_of(app).keys.signer.kid
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    payload = _b64(json.dumps(_claims(settings)).encode())
    await _assert_refused(client, f"{header}.{payload}.")


async def test_hs256_signed_with_the_public_key_is_refused(
    client: Client, app: Litestar, settings: Settings
) -> None:
    signer = auth_of(app).keys.signer
    public_pem = signer.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": signer.kid}).encode())
    payload = _b64(json.dumps(_claims(settings)).encode())
    import hashlib
    import hmac

    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    await _assert_refused(client, f"{header}.{payload}.{signature}")


async def test_a_foreign_key_is_refused(client: Client, app: Litestar, settings: Settings) -> None:
    foreign = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(
        _claims(settings),
        foreign,
        algorithm="ES256",
        headers={"kid": auth_of(app).keys.signer.kid},
    )
    await _assert_refused(client, token)


async def test_an_expired_token_of_a_foreign_key_is_not_called_expired(
    client: Client, app: Litestar, settings: Settings
) -> None:
    """Only a token we signed may tell the client to refresh."""
    now = int(time.time())
    token = jwt.encode(
        _claims(settings, iat=now - 700, exp=now - 100),
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": auth_of(app).keys.signer.kid},
    )
    await _assert_refused(client, token)


async def test_an_unknown_kid_is_refused(client: Client, app: Litestar, settings: Settings) -> None:
    await _assert_refused(client, _sign(app, _claims(settings), kid="no-such-key"))


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"nbf": _LATER}, id="not-yet-valid"),
        pytest.param({"iat": _LATER}, id="issued-in-the-future"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-iss"),
        pytest.param({"aud": "someone-else"}, id="wrong-aud"),
        pytest.param({"aud": "someone-else", "exp": _PAST}, id="expired-other-aud"),
        pytest.param({"iss": "https://evil.example", "exp": _PAST}, id="expired-other-iss"),
        pytest.param({"exp": "tomorrow"}, id="malformed-exp"),
        pytest.param({"sub": None}, id="missing-sub"),
        pytest.param({"exp": None}, id="missing-exp"),
        pytest.param({"iat": None}, id="missing-iat"),
        pytest.param({"roles": "platform_admin"}, id="malformed-roles"),
    ],
)
async def test_bad_claims_are_refused(
    client: Client, app: Litestar, settings: Settings, overrides: dict[str, Any]
) -> None:
    await _assert_refused(client, _sign(app, _claims(settings, **overrides)))


async def test_tampered_claims_are_refused(client: Client, token_for: TokenFor) -> None:
    token = await token_for(Role.RESIDENT)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = ["platform_admin"]
    claims["scope"] = {"platform_admin": ["zz"]}
    forged = _b64(json.dumps(claims).encode())
    await _assert_refused(client, f"{header}.{forged}.{signature}")


@pytest.mark.parametrize("value", ["Bearer ", "Bearer not.a.jwt", "Bearer x"])
async def test_malformed_authorization_is_refused(client: Client, value: str) -> None:
    response = await client.get("/v1/me", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_another_scheme_is_asked_for_a_bearer_token(client: Client) -> None:
    """RFC 6750: a request that sent no bearer token is challenged without an error."""
    response = await client.get("/v1/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert response.headers["www-authenticate"] == 'Bearer realm="yimen"'


async def test_no_token_is_unauthenticated(client: Client) -> None:
    response = await client.get("/v1/me", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.json()["title"] == "Authentication required"
    assert response.headers["www-authenticate"] == 'Bearer realm="yimen"'
