from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from backend.sdk import partition_by_month

ID = "2026-12-03T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the events' timeline split by month on PostgreSQL"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grid_events", description=DESCRIPTION)

    async def split_by_month():
        engine = engine_finder()
        if engine.engine_type == "postgres":
            await partition_by_month(engine, "grid_events_timeline", "at")

    manager.add_raw(split_by_month)
    return manager
