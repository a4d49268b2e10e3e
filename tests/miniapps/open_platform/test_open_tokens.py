"""An app's server trades its id and secret for an open-API token good for two hours; a
wrong secret, another app's secret or an unknown id are refused alike and nothing is
kept; a new token leaves the one before good for five minutes at most; an expired token,
a login's token or none at all is a 401."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from miniapps.open_platform.tables import OpenToken
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.open_platform.publishing import (
    APP,
    CREDIT_CODES,
    DEVELOPER,
    PLATFORM,
    new_developer,
    registered_app,
    someone,
    verified_publisher,
)


async def _app(client: Client, token_for_phone: TokenForPhone) -> dict[str, Any]:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    await verified_publisher(client, developer, platform)
    return await registered_app(client, developer)


async def _token(client: Client, app_id: str, secret: str) -> Any:
    return await client.post(f"{APP}/open/token", json={"app_id": app_id, "secret": secret})


async def test_an_apps_server_trades_its_secret_for_a_token(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    registered = await _app(client, token_for_phone)
    app_id, secret = registered["app"]["app_id"], registered["credentials"]["secret"]
    issued = await _token(client, app_id, secret)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 7200)
    expires_at = dt.datetime.fromisoformat(body["expires_at"])
    assert expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=2)

    whose = await client.get(f"{APP}/open/app", headers=bearer(body["access_token"]))
    assert whose.status_code == 200, whose.text
    assert whose.json() == {"app_id": app_id, "slug": "metro-card", "publisher": "郑州地铁集团"}
    [kept] = await OpenToken.select(OpenToken.digest)
    assert body["access_token"] not in kept["digest"]


async def test_a_wrong_secret_another_apps_or_an_unknown_id_are_refused_alike(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    registered = await _app(client, token_for_phone)
    platform = await someone(client, token_for_phone, PLATFORM)
    other_developer = await new_developer(client, token_for_phone, platform, "13900000105")
    await verified_publisher(client, other_developer, platform, CREDIT_CODES[1])
    other = await registered_app(client, other_developer, "water-bill")
    app_id, secret = registered["app"]["app_id"], registered["credentials"]["secret"]

    for trade in (
        (app_id, secret[:-2]),
        (app_id, other["credentials"]["secret"]),
        ("yx0000000000000000", secret),
    ):
        refused = await _token(client, *trade)
        assert refused.status_code == 401, refused.text
        assert refused.json()["code"] == "open_credentials_refused"
    assert await OpenToken.count() == 0


async def test_a_new_token_leaves_the_one_before_good_for_five_minutes(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    registered = await _app(client, token_for_phone)
    app_id, secret = registered["app"]["app_id"], registered["credentials"]["secret"]
    first = (await _token(client, app_id, secret)).json()["access_token"]
    second = (await _token(client, app_id, secret)).json()["access_token"]
    for token in (first, second):
        assert (await client.get(f"{APP}/open/app", headers=bearer(token))).status_code == 200
    rows = await OpenToken.select(OpenToken.expires_at).order_by(OpenToken.id)
    now = dt.datetime.now(dt.UTC)
    assert rows[0]["expires_at"] - now <= dt.timedelta(minutes=5)
    assert rows[1]["expires_at"] - now > dt.timedelta(hours=1, minutes=59)

    # Five minutes on: the first has expired, the second still works.
    await OpenToken.update({OpenToken.expires_at: now}).where(OpenToken.id == 1)
    expired = await client.get(f"{APP}/open/app", headers=bearer(first))
    assert expired.status_code == 401
    assert expired.json()["code"] == "open_token_refused"
    assert (await client.get(f"{APP}/open/app", headers=bearer(second))).status_code == 200


async def test_a_rotated_secret_still_trades_in_its_overlap(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    await verified_publisher(client, developer, platform)
    registered = await registered_app(client, developer)
    app_id, old = registered["app"]["app_id"], registered["credentials"]["secret"]
    rotated = await client.post(f"{APP}/apps/{app_id}/secret", headers=developer.headers)
    assert (await _token(client, app_id, old)).status_code == 200
    assert (await _token(client, app_id, rotated.json()["secret"])).status_code == 200


async def test_only_an_apps_token_opens_the_open_api(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await _app(client, token_for_phone)
    login = await token_for_phone(DEVELOPER)
    for headers in (bearer(login), bearer("nonsense"), {"Authorization": "Basic eDp5"}):
        refused = await client.get(f"{APP}/open/app", headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.json()["code"] == "open_token_refused"
    none = await client.get(f"{APP}/open/app")
    assert (none.status_code, none.json()["code"]) == (401, "unauthenticated")


async def test_a_token_is_traded_whatever_bearer_the_request_carries(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    registered = await _app(client, token_for_phone)
    app_id, secret = registered["app"]["app_id"], registered["credentials"]["secret"]
    current = (await _token(client, app_id, secret)).json()["access_token"]
    renewed = await client.post(
        f"{APP}/open/token", json={"app_id": app_id, "secret": secret}, headers=bearer(current)
    )
    assert renewed.status_code == 200, renewed.text


async def test_trades_at_once_leave_one_token_good_for_two_hours(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    registered = await _app(client, token_for_phone)
    app_id, secret = registered["app"]["app_id"], registered["credentials"]["secret"]
    answers = await asyncio.gather(*(_token(client, app_id, secret) for _ in range(8)))
    assert {a.status_code for a in answers} == {200}
    now = dt.datetime.now(dt.UTC)
    lives = [r["expires_at"] - now for r in await OpenToken.select(OpenToken.expires_at)]
    assert sum(life > dt.timedelta(minutes=6) for life in lives) == 1


async def test_retiring_a_leaked_secret_retires_its_tokens(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    await verified_publisher(client, developer, platform)
    registered = await registered_app(client, developer)
    app_id, leaked = registered["app"]["app_id"], registered["credentials"]["secret"]
    token = (await _token(client, app_id, leaked)).json()["access_token"]
    await client.post(f"{APP}/apps/{app_id}/secret", headers=developer.headers)
    assert (await client.get(f"{APP}/open/app", headers=bearer(token))).status_code == 200
    # A second rotation retires the leaked secret at once, and what was taken with it.
    newest = (await client.post(f"{APP}/apps/{app_id}/secret", headers=developer.headers)).json()
    assert (await client.get(f"{APP}/open/app", headers=bearer(token))).status_code == 401
    fresh = (await _token(client, app_id, newest["secret"])).json()["access_token"]
    assert (await client.get(f"{APP}/open/app", headers=bearer(fresh))).status_code == 200
