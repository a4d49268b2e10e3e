"""A credential lives an hour: shown after that with a fresh, genuine phone proof, it is
refused online and offline, for its own age and not the proof's."""

from __future__ import annotations

import time

from litestar import Litestar

from backend.kernel.roles import Role
from miniapps.health_code import verifier
from miniapps.health_code.codes import CODE_TTL, issue_code
from miniapps.health_code.phone import HealthCodePhone
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.health_code.holders import enrolled
from tests.support import auth_of


async def _issued_at(
    client: Client, token_for: TokenFor, app: Litestar, issued: float
) -> tuple[HealthCodePhone, str]:
    """The resident's phone and a credential the platform issued to it at `issued`."""
    token = await token_for(Role.RESIDENT)
    phone, _ = await enrolled(client, token)
    me = int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])
    code = await issue_code(user_id=me, keys=auth_of(app).keys, now=issued)
    return phone, code.credential


async def _scan(client: Client, token_for: TokenFor, text: str) -> dict[str, object]:
    response = await client.post(
        "/v1/miniapps/health_code/scans",
        json={"text": text, "place": "科学大道地铁站"},
        headers=bearer(await token_for(Role.CHECKPOINT_STAFF)),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_an_expired_credential_with_a_fresh_proof_is_refused_online(
    client: Client, token_for: TokenFor, app: Litestar
) -> None:
    phone, credential = await _issued_at(client, token_for, app, time.time() - CODE_TTL - 1)
    assert await _scan(client, token_for, phone.show(credential)) == {
        "valid": False,
        "reason": "expired",
        "colour": None,
        "masked_name": None,
    }


async def test_a_credential_in_its_last_minute_still_passes_online(
    client: Client, token_for: TokenFor, app: Litestar
) -> None:
    phone, credential = await _issued_at(client, token_for, app, time.time() - CODE_TTL + 60)
    assert (await _scan(client, token_for, phone.show(credential)))["valid"] is True


async def test_an_expired_credential_with_a_fresh_proof_is_refused_offline(
    client: Client, token_for: TokenFor, app: Litestar
) -> None:
    issued = time.time()
    phone, credential = await _issued_at(client, token_for, app, issued)
    jwks = dict((await client.get("/.well-known/jwks.json")).json())
    expiry = int(issued) + CODE_TTL
    last_second, expired = expiry - 1, expiry
    assert verifier.verify(phone.show(credential, at=last_second), jwks, now=last_second).valid
    late = verifier.verify(phone.show(credential, at=expired), jwks, now=expired)
    assert (late.valid, late.reason) == (False, "expired")
    much_later = expiry + 86_400
    stale = verifier.verify(phone.show(credential, at=much_later), jwks, now=much_later)
    assert (stale.valid, stale.reason) == (False, "expired")
