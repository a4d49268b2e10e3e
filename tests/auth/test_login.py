"""Login by one-time code, the caps that stop brute force, and the session life cycle."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import jwt
import pytest
from litestar import Litestar

from auth.tables import OneTimeCode, RefreshToken
from backend.kernel.settings import Settings
from tests.conftest import Client, bearer
from tests.support import LimiterClock, RecordingSms, limits_on_clock

PHONE = "13912345678"


@pytest.fixture
def clock(app: Litestar) -> LimiterClock:
    return limits_on_clock(app)


async def _log_in(client: Client, sms: RecordingSms, phone: str = PHONE) -> dict[str, str]:
    sent = await client.post("/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    response = await client.post(
        "/v1/auth/login", json={"phone": phone, "code": await sms.last_code(phone)}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_login_opens_a_resident_account(client: Client, sms: RecordingSms) -> None:
    pair = await _log_in(client, sms)
    me = await client.get("/v1/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    assert me.json()["roles"] == ["resident"]


async def test_in_development_the_answer_shows_the_code_the_console_prints(
    client: Client, sms: RecordingSms
) -> None:
    sent = await client.post("/v1/auth/otp", json={"phone": PHONE})
    assert sent.json()["dev_code"] == await sms.last_code(PHONE)


async def test_a_caller_from_another_machine_is_shown_no_code(
    client: Client, app: Litestar, sms: RecordingSms
) -> None:
    transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as outside:
        sent = await outside.post("/v1/auth/otp", json={"phone": PHONE})
    assert sent.status_code == 202, sent.text
    assert "dev_code" not in sent.json()
    assert await sms.last_code(PHONE)  # the console still prints it for the developer


async def test_codes_are_stored_hashed(client: Client, sms: RecordingSms) -> None:
    await client.post("/v1/auth/otp", json={"phone": PHONE})
    code = await sms.last_code(PHONE)
    row = await OneTimeCode.select().first()
    assert row is not None
    assert code not in row["code_hash"]
    assert PHONE not in row["phone_lookup"]


async def test_a_code_logs_in_once(client: Client, sms: RecordingSms) -> None:
    await _log_in(client, sms)
    again = await client.post(
        "/v1/auth/login", json={"phone": PHONE, "code": await sms.last_code(PHONE)}
    )
    assert again.status_code == 401
    assert again.json()["code"] == "otp_invalid"


async def test_wrong_codes_are_capped(
    client: Client, sms: RecordingSms, settings: Settings
) -> None:
    await client.post("/v1/auth/otp", json={"phone": PHONE})
    right = await sms.last_code(PHONE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(settings.otp_max_attempts):
        response = await client.post("/v1/auth/login", json={"phone": PHONE, "code": wrong})
        assert response.status_code == 401
    locked = await client.post("/v1/auth/login", json={"phone": PHONE, "code": right})
    assert locked.status_code == 429
    assert locked.json()["code"] == "otp_locked"


async def test_brute_force_over_many_codes_is_stopped(
    client: Client, settings: Settings, clock: LimiterClock
) -> None:
    """Every code allowed in an hour, each guessed to its cap, gives a bounded number of tries."""
    tries = 0
    for _ in range(settings.otp_per_phone_per_hour + 1):
        sent = await client.post("/v1/auth/otp", json={"phone": PHONE})
        if sent.status_code == 429:
            break
        await _age_codes(clock, seconds=settings.otp_resend_interval + 1)
        while True:
            guess = await client.post("/v1/auth/login", json={"phone": PHONE, "code": "000000"})
            if guess.status_code == 429:
                break
            tries += 1
    assert sent.status_code == 429
    assert sent.json()["code"] == "otp_phone_limit"
    assert tries <= settings.otp_per_phone_per_hour * settings.otp_max_attempts


async def _age_codes(clock: LimiterClock, seconds: int) -> None:
    """As if every code had been sent `seconds` earlier: the rate limits' time passes too."""
    import datetime as dt

    clock.advance(seconds)
    rows = await OneTimeCode.select(OneTimeCode.id, OneTimeCode.created_at)
    for row in rows:
        await OneTimeCode.update(
            {OneTimeCode.created_at: row["created_at"] - dt.timedelta(seconds=seconds)}
        ).where(OneTimeCode.id == row["id"])


async def test_resend_too_soon_says_when(client: Client) -> None:
    await client.post("/v1/auth/otp", json={"phone": PHONE})
    again = await client.post("/v1/auth/otp", json={"phone": PHONE})
    assert again.status_code == 429
    assert again.json()["code"] == "otp_too_soon"
    assert int(again.headers["retry-after"]) > 0


async def test_one_address_cannot_spray_phones(client: Client, settings: Settings) -> None:
    for i in range(settings.otp_per_ip_per_hour):
        assert (await client.post("/v1/auth/otp", json={"phone": f"1390000{i:04d}"})).is_success
    refused = await client.post("/v1/auth/otp", json={"phone": "13700000000"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "otp_ip_limit"


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800a", ""])
async def test_bad_phone_is_a_400_problem(client: Client, phone: str) -> None:
    response = await client.post("/v1/auth/otp", json={"phone": phone})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "phone"
    assert await OneTimeCode.count() == 0


async def test_refresh_rotates(client: Client, sms: RecordingSms) -> None:
    first = await _log_in(client, sms)
    second = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]


def _auth_time(access_token: str) -> int | None:
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return claims.get("auth_time")


async def test_a_login_dates_its_proof_and_refreshes_keep_that_date(
    client: Client, sms: RecordingSms
) -> None:
    """`auth_time` says when the one-time code was given; a refresh is no new proof."""
    before = int(time.time())
    first = await _log_in(client, sms)
    proved = _auth_time(first["access_token"])
    assert proved is not None
    assert before - 1 <= proved <= time.time()
    link = await RefreshToken.select(RefreshToken.id).first()
    assert link is not None
    # As if the login had been an hour ago: every later token still says an hour ago.
    hour_ago = dt.datetime.fromtimestamp(proved - 3600, dt.UTC)
    await RefreshToken.update({RefreshToken.authenticated_at: hour_ago}).where(
        RefreshToken.id == link["id"]
    )
    second = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    third = await client.post(
        "/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    assert _auth_time(second.json()["access_token"]) == proved - 3600
    assert _auth_time(third.json()["access_token"]) == proved - 3600


async def test_refresh_reuse_revokes_the_family(client: Client, sms: RecordingSms) -> None:
    first = await _log_in(client, sms)
    second = (
        await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    replay = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert replay.json()["code"] == "refresh_reused"
    # The thief's replay also ends the legitimate holder's newer token.
    legit = await client.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert legit.status_code == 401
    assert await RefreshToken.count().where(RefreshToken.revoked_at.is_null()) == 0


async def test_other_sessions_survive_a_reuse(
    client: Client, sms: RecordingSms, clock: LimiterClock
) -> None:
    phone_one = await _log_in(client, sms)
    await _age_codes(clock, seconds=120)
    phone_two = await _log_in(client, sms)
    await client.post("/v1/auth/refresh", json={"refresh_token": phone_one["refresh_token"]})
    await client.post("/v1/auth/refresh", json={"refresh_token": phone_one["refresh_token"]})
    still = await client.post(
        "/v1/auth/refresh", json={"refresh_token": phone_two["refresh_token"]}
    )
    assert still.status_code == 200


async def test_logout_ends_refresh(client: Client, sms: RecordingSms) -> None:
    pair = await _log_in(client, sms)
    out = await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    after = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert after.status_code == 401


async def test_unknown_refresh_token_is_refused(client: Client) -> None:
    response = await client.post("/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert response.status_code == 401
    assert response.json()["code"] == "refresh_invalid"


async def test_a_role_change_shows_at_the_next_refresh(
    client: Client, sms: RecordingSms, app: Litestar
) -> None:
    from backend.directory.orgs.schemas import OrgUnitIn
    from backend.directory.orgs.service import import_units
    from backend.directory.users.service import assign_role
    from backend.kernel.roles import Role

    pair = await _log_in(client, sms)
    me = (await client.get("/v1/me", headers=bearer(pair["access_token"]))).json()
    await import_units(
        [OrgUnitIn(path="zz", name="郑州市"), OrgUnitIn(path="zz/gx", name="高新区")]
    )
    await assign_role(user_id=me["user_id"], role=Role.DISTRICT_ADMIN, scope_path="zz/gx")
    before = (await client.get("/v1/me", headers=bearer(pair["access_token"]))).json()
    assert before["roles"] == ["resident"]
    fresh = (
        await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    ).json()
    after = (await client.get("/v1/me", headers=bearer(fresh["access_token"]))).json()
    assert after["roles"] == ["district_admin", "resident"]
    assert after["scope"]["district_admin"] == ["zz/gx"]
