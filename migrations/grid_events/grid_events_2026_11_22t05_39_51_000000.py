from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:39:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "one dispatch rule per category and place"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="grid_events", description=DESCRIPTION
    )

    async def one_per_place():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS grid_events_dispatch_rule_once "
            "ON grid_events_dispatch_rule (category, place_path)"
        )

    async def drop_one_per_place():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS grid_events_dispatch_rule_once")

    manager.add_raw(one_per_place)
    manager.add_raw_backwards(drop_one_per_place)
    return manager
