from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:54:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "a bundle's versions are numbered once each"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="gov_services", description=DESCRIPTION
    )

    async def bundle_version_number():
        # Two admins starting a bundle's next version at once cannot both have number n:
        # the second insert fails and is told the bundle has a draft. It also finds the
        # version in force by code.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS gov_services_bundle_version_number "
            "ON gov_services_bundle_version (code, version)"
        )

    async def drop_bundle_version_number():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS gov_services_bundle_version_number")

    manager.add_raw(bundle_version_number)
    manager.add_raw_backwards(drop_bundle_version_number)
    return manager
