from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T01:21:37:099771"
VERSION = "1.38.0"
DESCRIPTION = "one escalation per event and level"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="grid_events", description=DESCRIPTION
    )

    async def once_per_level():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS grid_events_escalation_once "
            "ON grid_events_escalation (event_id, level)"
        )

    async def drop_once_per_level():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS grid_events_escalation_once")

    manager.add_raw(once_per_level)
    manager.add_raw_backwards(drop_once_per_level)
    return manager
