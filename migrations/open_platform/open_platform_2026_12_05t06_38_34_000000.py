from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T06:38:34:000000"
VERSION = "1.38.0"
DESCRIPTION = "one usage count per app, city day, district and user"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="open_platform", description=DESCRIPTION
    )

    async def one_count_each():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS open_platform_usage_each"
            " ON open_platform_usage (app_id, day, district, user_id)"
        )

    async def drop_it():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS open_platform_usage_each")

    manager.add_raw(one_count_each)
    manager.add_raw_backwards(drop_it)
    return manager
