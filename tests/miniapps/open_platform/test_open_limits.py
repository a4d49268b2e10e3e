"""An app's calls to the open API count against its own limit (in Redis when the city runs
one, so every API process counts them together), and another app's calls do not: over it,
a 429 with `Retry-After`."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    DEVELOPER,
    PLATFORM,
    open_token,
    registered_app,
    someone,
    verified_publisher,
)


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    return create_app(msgspec.structs.replace(settings, rate_open_api_per_app="3/m"))


async def test_an_apps_open_api_calls_count_against_its_own_limit(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    await verified_publisher(client, developer, platform)
    metro = await open_token(client, await registered_app(client, developer))
    bus = await open_token(client, await registered_app(client, developer, "metro-bus"))

    answered = [await client.get(f"{APP}/open/app", headers=metro) for _ in range(4)]
    assert [a.status_code for a in answered] == [200, 200, 200, 429]
    assert answered[-1].json()["code"] == "rate_limited"
    assert int(answered[-1].headers["Retry-After"]) >= 1
    assert (await client.get(f"{APP}/open/app", headers=bus)).status_code == 200
