from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T04:27:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open family binding per elder and member"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="elderly_care", description=DESCRIPTION)

    async def one_open_binding():
        # A partial index: ended bindings are kept, and a member may ask again after one.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX elderly_care_family_binding_open"
            " ON elderly_care_family_binding (elder_id, member_id)"
            " WHERE status IN ('pending', 'accepted')"
        )

    manager.add_raw(one_open_binding)
    return manager
