from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T21:33:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "one publisher per organisation among registrations not rejected"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="open_platform", description=DESCRIPTION
    )

    async def one_live_publisher_per_organisation():
        # A rejected registration keeps its record but not its claim to the code: the
        # organisation's real developer may then register it.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS open_platform_publisher_live_code"
            " ON open_platform_publisher (credit_code) WHERE status <> 'rejected'"
        )

    async def drop_one_live_publisher():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS open_platform_publisher_live_code")

    manager.add_raw(one_live_publisher_per_organisation)
    manager.add_raw_backwards(drop_one_live_publisher)
    return manager
