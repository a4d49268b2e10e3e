from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

from backend.kernel.settings import Settings
from tests.push.fcm_standin import PROJECT, FcmStandIn, write_service_account


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
