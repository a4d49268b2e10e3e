"""Immediate revocation across processes, and key rotation that keeps old tokens valid."""

from __future__ import annotations

import asyncio

import jwt
import msgspec
from litestar import Litestar

from auth.keys import create_signing_key, prune_retired_keys
from auth.revocation import DenyList, RevocationSync, record_revocation
from auth.schemas import SigningKeySet
from auth.sessions import grant_for
from auth.tables import SigningKeyRow
from backend.app import create_app
from backend.kernel.roles import Role
from backend.kernel.settings import Settings, SigningAlgorithm
from backend.kernel.vault import Vault
from tests.conftest import Client, TokenFor, bearer
from tests.support import RecordingSms, auth_of, eventually, redis_url_or_skip, running


async def _user_id(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def test_admin_revokes_a_user_at_once(client: Client, token_for: TokenFor) -> None:
    worker = await token_for(Role.GRID_WORKER)
    admin = await token_for(Role.COMMUNITY_ADMIN)
    worker_id = await _user_id(client, worker)
    response = await client.post(f"/v1/admin/users/{worker_id}/revoke", headers=bearer(admin))
    assert response.status_code == 204
    refused = await client.get("/v1/me", headers=bearer(worker))
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"


async def test_a_revoked_user_may_log_in_again(
    client: Client, token_for: TokenFor, app: Litestar
) -> None:
    worker = await token_for(Role.GRID_WORKER)
    admin = await token_for(Role.COMMUNITY_ADMIN)
    worker_id = await _user_id(client, worker)
    await client.post(f"/v1/admin/users/{worker_id}/revoke", headers=bearer(admin))

    async def fresh_token_works() -> bool:
        # iat counts whole seconds: a token from the second of the revoke is refused.
        fresh = await token_for(Role.GRID_WORKER)
        return (await client.get("/v1/me", headers=bearer(fresh))).status_code == 200

    await eventually(fresh_token_works)


async def test_an_admin_cannot_revoke_outside_their_subtree(
    client: Client, token_for: TokenFor
) -> None:
    other_community = await token_for(Role.COMMUNITY_ADMIN)
    district = await token_for(Role.DISTRICT_ADMIN)
    district_id = await _user_id(client, district)
    response = await client.post(
        f"/v1/admin/users/{district_id}/revoke", headers=bearer(other_community)
    )
    assert response.status_code == 404
    assert (await client.get("/v1/me", headers=bearer(district))).status_code == 200


async def test_residents_cannot_revoke(client: Client, token_for: TokenFor) -> None:
    resident = await token_for(Role.RESIDENT)
    response = await client.post("/v1/admin/users/1/revoke", headers=bearer(resident))
    assert response.status_code == 403


async def test_a_new_process_learns_revocations_from_the_database(
    client: Client, token_for: TokenFor, settings: Settings
) -> None:
    worker = await token_for(Role.GRID_WORKER)
    worker_id = await _user_id(client, worker)
    await record_revocation(worker_id, access_token_ttl=settings.access_token_ttl)
    async with running(create_app(settings)) as other_process:
        refused = await other_process.get("/v1/me", headers=bearer(worker))
    assert refused.status_code == 401


async def test_revocation_reaches_another_process_through_redis(settings: Settings) -> None:
    url = redis_url_or_skip()
    here, there = DenyList(), DenyList()
    sender = RevocationSync(here, url, poll_interval=3600)
    receiver = RevocationSync(there, url, poll_interval=3600)
    await sender.start()
    await receiver.start()
    try:
        await asyncio.wait_for(receiver.listening.wait(), 5)
        notice = await record_revocation(42, access_token_ttl=settings.access_token_ttl)
        await sender.announce(notice)

        async def refused() -> bool:
            return there.refuses("42", int(notice.revoked_at))

        await eventually(refused)
        assert not there.refuses("42", int(notice.revoked_at) + 1)
    finally:
        await sender.stop()
        await receiver.stop()


async def test_rotated_keys_keep_old_tokens_valid(
    client: Client, app: Litestar, token_for: TokenFor, settings: Settings, vault: Vault
) -> None:
    old_token = await token_for(Role.RESIDENT)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = await create_signing_key(settings, vault)
    await auth_of(app).keys.load()
    new_token = await token_for(Role.RESIDENT)
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    for token in (old_token, new_token):
        assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
    kids = {key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {old_kid, new_kid}


async def test_the_jwks_is_the_key_set_the_document_declares(
    client: Client, app: Litestar, token_for: TokenFor, settings: Settings, vault: Vault
) -> None:
    """Both kinds of key, EC P-256 and Ed25519, decode as the declared SigningKeySet."""
    await token_for(Role.RESIDENT)
    eddsa = msgspec.structs.replace(settings, signing_algorithm=SigningAlgorithm.EDDSA)
    await create_signing_key(eddsa, vault)
    await auth_of(app).keys.load()
    response = await client.get("/.well-known/jwks.json")
    keys = msgspec.json.decode(response.content, type=SigningKeySet).keys
    assert {(key.kty, key.crv, key.y is not None) for key in keys} == {
        ("EC", "P-256", True),
        ("OKP", "Ed25519", False),
    }
    declared = app.openapi_schema.paths["/.well-known/jwks.json"].get.responses["200"]
    assert declared.content["application/json"].schema.ref.endswith("/SigningKeySet")


async def test_a_process_that_missed_the_rotation_still_verifies(
    client: Client, token_for: TokenFor, settings: Settings, vault: Vault
) -> None:
    """Tokens signed after a rotation by another process verify here on first sight."""
    await token_for(Role.RESIDENT)
    await create_signing_key(settings, vault)
    other = create_app(settings)
    async with running(other):
        token, _ = auth_of(other).tokens.issue(await grant_for(1))

    async def verified() -> bool:
        # The ring reloads for an unknown kid at most every five seconds.
        return (await client.get("/v1/me", headers=bearer(token))).status_code == 200

    await eventually(verified, 15, every=0.25)


async def test_retired_keys_leave_the_jwks_when_their_tokens_expired(
    client: Client, app: Litestar, settings: Settings, vault: Vault
) -> None:
    import datetime as dt

    first = auth_of(app).keys.signer.kid
    second = await create_signing_key(settings, vault)
    third = await create_signing_key(settings, vault)
    await SigningKeyRow.update(
        {SigningKeyRow.retire_after: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(SigningKeyRow.kid == first)
    assert await prune_retired_keys() == 1
    await auth_of(app).keys.load()
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert {k["kid"] for k in keys} == {second, third}
    assert auth_of(app).keys.signer.kid == third


async def test_a_revoked_user_is_refused_at_the_next_refresh(
    client: Client, sms: RecordingSms, token_for: TokenFor
) -> None:
    phone = "13800000003"  # the demo grid worker
    await client.post("/v1/auth/otp", json={"phone": phone})
    pair = (
        await client.post(
            "/v1/auth/login", json={"phone": phone, "code": await sms.last_code(phone)}
        )
    ).json()
    worker_id = await _user_id(client, pair["access_token"])
    admin = await token_for(Role.COMMUNITY_ADMIN)
    await client.post(f"/v1/admin/users/{worker_id}/revoke", headers=bearer(admin))
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 401
