"""Logging out, disabling an account and a code's life: each ends access at once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from litestar import Litestar

from auth.revocation import DenyList, RevocationSync, record_revocation
from auth.tables import OneTimeCode
from backend.app import create_app
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenFor, bearer
from tests.support import (
    LimiterClock,
    RecordingSms,
    eventually,
    limits_on_clock,
    redis_url_or_skip,
    running,
)

PHONE = "13912345678"
G07_WORKER = "13800000003"


async def _log_in(client: Client, sms: RecordingSms, phone: str = PHONE) -> dict[str, str]:
    sent = await client.post("/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    response = await client.post(
        "/v1/auth/login", json={"phone": phone, "code": await sms.last_code(phone)}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def clock(app: Litestar) -> LimiterClock:
    return limits_on_clock(app)


async def _age_codes(clock: LimiterClock, seconds: float) -> None:
    """Move every stored code back in time, as if it had been sent `seconds` earlier; the
    rate limits' time passes as much."""
    clock.advance(seconds)
    back = dt.timedelta(seconds=seconds)
    for row in await OneTimeCode.select(
        OneTimeCode.id, OneTimeCode.created_at, OneTimeCode.expires_at
    ):
        await OneTimeCode.update(
            {
                OneTimeCode.created_at: row["created_at"] - back,
                OneTimeCode.expires_at: row["expires_at"] - back,
            }
        ).where(OneTimeCode.id == row["id"])


async def test_a_code_older_than_its_life_is_refused(
    client: Client, sms: RecordingSms, settings: Settings, clock: LimiterClock
) -> None:
    await client.post("/v1/auth/otp", json={"phone": PHONE})
    code = await sms.last_code(PHONE)  # texted at once; then the code ages
    await _age_codes(clock, settings.otp_ttl + 1)
    response = await client.post("/v1/auth/login", json={"phone": PHONE, "code": code})
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"


async def test_a_code_within_its_life_logs_in(
    client: Client, sms: RecordingSms, settings: Settings, clock: LimiterClock
) -> None:
    await client.post("/v1/auth/otp", json={"phone": PHONE})
    code = await sms.last_code(PHONE)  # texted at once; then the code ages
    await _age_codes(clock, settings.otp_ttl - 10)
    response = await client.post("/v1/auth/login", json={"phone": PHONE, "code": code})
    assert response.status_code == 200


async def _second_login(client: Client, sms: RecordingSms, clock: LimiterClock) -> dict[str, str]:
    await _age_codes(clock, 120)  # past the resend interval
    return await _log_in(client, sms)


async def test_logout_ends_the_sessions_access_token_at_once(
    client: Client, sms: RecordingSms, clock: LimiterClock
) -> None:
    pair = await _log_in(client, sms)
    other_phone = await _second_login(client, sms, clock)
    assert (await client.get("/v1/me", headers=bearer(pair["access_token"]))).status_code == 200
    out = await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    refused = await client.get("/v1/me", headers=bearer(pair["access_token"]))
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    # The user's other phone stays logged in.
    still = await client.get("/v1/me", headers=bearer(other_phone["access_token"]))
    assert still.status_code == 200
    again = await client.post(
        "/v1/auth/refresh", json={"refresh_token": other_phone["refresh_token"]}
    )
    assert again.status_code == 200


async def test_a_refresh_after_logout_says_the_session_ended(
    client: Client, sms: RecordingSms, clock: LimiterClock
) -> None:
    pair = await _log_in(client, sms)
    other_phone = await _second_login(client, sms, clock)
    await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    after = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert after.status_code == 401
    assert after.json()["code"] == "session_ended"
    # Not taken for theft: nothing else of the user's is ended.
    still = await client.get("/v1/me", headers=bearer(other_phone["access_token"]))
    assert still.status_code == 200


async def test_a_logout_reaches_a_process_started_later(
    client: Client, sms: RecordingSms, settings: Settings
) -> None:
    pair = await _log_in(client, sms)
    await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    async with running(create_app(settings)) as other_process:
        refused = await other_process.get("/v1/me", headers=bearer(pair["access_token"]))
    assert refused.status_code == 401


async def test_an_ended_session_reaches_another_process_through_redis(
    settings: Settings,
) -> None:
    url = redis_url_or_skip()
    here, there = DenyList(), DenyList()
    sender = RevocationSync(here, url, poll_interval=3600)
    receiver = RevocationSync(there, url, poll_interval=3600)
    await sender.start()
    await receiver.start()
    try:
        await asyncio.wait_for(receiver.listening.wait(), 5)
        notice = await record_revocation(
            42, access_token_ttl=settings.access_token_ttl, session="f" * 32
        )
        await sender.announce(notice)

        async def refused() -> bool:
            return there.refuses("42", int(notice.revoked_at), "f" * 32)

        await eventually(refused)
        assert not there.refuses("42", int(notice.revoked_at), "e" * 32)
    finally:
        await sender.stop()
        await receiver.stop()


async def test_disabling_an_account_ends_it_at_once(
    client: Client, sms: RecordingSms, token_for: TokenFor, clock: LimiterClock
) -> None:
    pair = await _log_in(client, sms, G07_WORKER)
    worker_id = (await client.get("/v1/me", headers=bearer(pair["access_token"]))).json()["user_id"]
    admin = bearer(await token_for(Role.COMMUNITY_ADMIN))
    disabled = await client.post(f"/v1/admin/users/{worker_id}/disable", headers=admin)
    assert disabled.status_code == 204
    refused = await client.get("/v1/me", headers=bearer(pair["access_token"]))
    assert refused.status_code == 401
    refresh = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401
    assert refresh.json()["code"] == "session_ended"
    await _age_codes(clock, 120)
    await client.post("/v1/auth/otp", json={"phone": G07_WORKER})
    login = await client.post(
        "/v1/auth/login", json={"phone": G07_WORKER, "code": await sms.last_code(G07_WORKER)}
    )
    assert login.status_code == 403
    assert login.json()["code"] == "account_disabled"
    read = (await client.get(f"/v1/users/{worker_id}", headers=admin)).json()
    assert read["active"] is False


async def test_an_enabled_account_logs_in_again(
    client: Client, sms: RecordingSms, token_for: TokenFor, clock: LimiterClock
) -> None:
    pair = await _log_in(client, sms, G07_WORKER)
    worker_id = (await client.get("/v1/me", headers=bearer(pair["access_token"]))).json()["user_id"]
    admin = bearer(await token_for(Role.COMMUNITY_ADMIN))
    await client.post(f"/v1/admin/users/{worker_id}/disable", headers=admin)
    enabled = await client.post(f"/v1/admin/users/{worker_id}/enable", headers=admin)
    assert enabled.status_code == 204
    await _age_codes(clock, 120)
    fresh = await _log_in(client, sms, G07_WORKER)

    async def accepted() -> bool:
        # A token from the second of the revocation is refused: iat counts whole seconds.
        again = await client.post(
            "/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]}
        )
        fresh.update(again.json())
        me = await client.get("/v1/me", headers=bearer(fresh["access_token"]))
        return me.status_code == 200

    await eventually(accepted)


async def test_only_admins_disable(client: Client, token_for: TokenFor) -> None:
    worker = await token_for(Role.GRID_WORKER)
    for action in ("disable", "enable"):
        response = await client.post(f"/v1/admin/users/1/{action}", headers=bearer(worker))
        assert response.status_code == 403
