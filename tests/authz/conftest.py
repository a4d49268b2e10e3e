"""The matrix walks one seeded city per module instead of a fresh database per test: every
row builds fresh targets for each caller, and undoes what other rows would notice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest

from backend.app import create_app
from backend.kernel.db import current_engine, is_postgres
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from backend.seed import seed_demo
from tests.authz.city import City
from tests.support import RecordingSms, all_tables, running


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Replaces the suite's per-test emptying: the `city` fixture empties the tables once."""


async def _empty_tables() -> None:
    engine = current_engine()
    names = [table._meta.tablename for table in all_tables()]
    if is_postgres(engine):
        await engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    else:
        for name in names:
            await engine.run_ddl(f"DELETE FROM {name}")


@pytest.fixture(scope="module")
async def city(database: None, settings: Settings, vault: Vault) -> AsyncIterator[City]:
    """The demo city, started once, with a token for every caller. One code request per
    cell comes from the test client's address, and every caller's cell of the open API's
    notifications goes to the same user, so those limits are lifted here."""
    await _empty_tables()
    app = create_app(
        msgspec.structs.replace(
            settings, otp_per_ip_per_hour=100_000, rate_open_notices_per_user="100000/h"
        )
    )
    async with running(app) as client:
        services_of(app).sms = RecordingSms()
        await seed_demo(vault)
        seeded = City(app, client, vault)
        await seeded.sign_in_everyone()
        yield seeded
    await _empty_tables()
