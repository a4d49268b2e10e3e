"""A notification the app's quota refuses spends nothing of what the app may send the user:
the two limits count a send together or not at all."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import RESIDENT, someone
from tests.miniapps.open_platform.test_launch import Platform
from tests.miniapps.open_platform.test_notifications import NOTIFYING, openid_of, send_notice


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    return create_app(
        msgspec.structs.replace(
            settings, rate_open_notices_per_user="2/h", rate_open_notices_per_app="1/2s"
        )
    )


async def test_a_send_the_apps_quota_refuses_leaves_the_users_allowance(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(**NOTIFYING)
    resident = await someone(client, token_for_phone, RESIDENT)
    openid = await openid_of(client, app, resident, "notifications")

    assert (await send_notice(client, app, openid)).status_code == 200
    for _ in range(3):  # the app's quota refuses these: they count for nobody
        assert (await send_notice(client, app, openid)).status_code == 429
    await asyncio.sleep(2.1)
    assert (await send_notice(client, app, openid)).status_code == 200
