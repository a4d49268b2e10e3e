from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T02:27:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "one switch per app and district, one standing consent per app, user and field"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="open_platform", description=DESCRIPTION
    )

    async def one_switch_and_one_standing_consent():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS open_platform_district_app"
            " ON open_platform_district (app_id, district)"
        )
        # A revoked consent stays on record; consenting again makes a new row.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS open_platform_consent_standing"
            " ON open_platform_consent (app_id, user_id, field) WHERE revoked_at IS NULL"
        )

    async def drop_them():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS open_platform_consent_standing")
        await engine_finder().run_ddl("DROP INDEX IF EXISTS open_platform_district_app")

    manager.add_raw(one_switch_and_one_standing_consent)
    manager.add_raw_backwards(drop_them)
    return manager
