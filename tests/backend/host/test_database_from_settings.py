"""An app talks to the database its settings name, not to one chosen when piccolo_conf was
first imported."""

from __future__ import annotations

from pathlib import Path

import msgspec
from piccolo.engine.sqlite import SQLiteEngine

from backend.app import create_app
from backend.kernel.db import use_database
from backend.kernel.registry import piccolo_apps
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from push.tables import Device
from tests.support import all_tables, running


async def test_the_app_reads_and_writes_the_database_its_settings_name(
    settings: Settings, tmp_path: Path
) -> None:
    elsewhere = msgspec.structs.replace(
        settings, database_url="", sqlite_path=str(tmp_path / "elsewhere.sqlite3")
    )
    try:
        app = create_app(elsewhere)
        engine = services_of(app).engine
        assert isinstance(engine, SQLiteEngine)
        assert engine.path == str(tmp_path / "elsewhere.sqlite3")
        for table in all_tables():  # migrations run on piccolo_conf's engine, for its CLI
            await table.create_table(if_not_exists=True)
        async with running(app) as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            await Device.insert(Device(user_id=1, kind="token", address="a", platform="ios"))
        assert Device._meta.db is engine
        assert await Device.count() == 1
    finally:
        use_database(settings, piccolo_apps())
    assert await Device.count() == 0  # the suite's own database never saw the row
