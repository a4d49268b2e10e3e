from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the duplicate search reads a strip of latitude, not every event of the grid"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="grid_events", description=DESCRIPTION
    )

    async def near_index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS grid_events_event_near "
            "ON grid_events_event (category, grid_path, lat)"
        )

    async def drop_near_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS grid_events_event_near")

    manager.add_raw(near_index)
    manager.add_raw_backwards(drop_near_index)
    return manager
