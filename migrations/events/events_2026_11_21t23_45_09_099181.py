from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T23:45:09:099181"
VERSION = "1.38.0"
DESCRIPTION = "one handled row per event and handler"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="events", description=DESCRIPTION
    )

    async def once_per_handler():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS event_handled_once "
            "ON event_handled (event_id, handler)"
        )

    async def drop_once_per_handler():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS event_handled_once")

    manager.add_raw(once_per_handler)
    manager.add_raw_backwards(drop_once_per_handler)
    return manager
