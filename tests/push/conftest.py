from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from httpx import AsyncClient
from litestar import Litestar

from backend.kernel.settings import Settings
from tests.push.fcm_standin import PROJECT, FcmStandIn, write_service_account
from tests.push.helpers import push_app


@pytest.fixture
async def fcm() -> AsyncIterator[FcmStandIn]:
    standin = FcmStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
def fcm_settings(settings: Settings, fcm: FcmStandIn, tmp_path: Path) -> Settings:
    """Settings that send through the real firebase-admin client to the stand-in."""
    return msgspec.structs.replace(
        settings,
        firebase_credentials=str(write_service_account(tmp_path)),
        firebase_project_id=PROJECT,
        fcm_endpoint=fcm.url,
    )


@pytest.fixture
async def pushing(
    fcm_settings: Settings, demo: None
) -> AsyncIterator[tuple[Litestar, AsyncClient]]:
    """The app sending through firebase-admin to the stand-in, over the demo city."""
    async with push_app(fcm_settings) as (app, client):
        yield app, client
