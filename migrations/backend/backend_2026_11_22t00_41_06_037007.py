from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T00:41:06:037007"
VERSION = "1.38.0"
DESCRIPTION = "one idempotency key per user"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="backend", description=DESCRIPTION
    )

    async def once_per_user():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS idempotent_request_once "
            "ON idempotent_request (user_id, key)"
        )

    async def drop_once_per_user():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS idempotent_request_once")

    manager.add_raw(once_per_user)
    manager.add_raw_backwards(drop_once_per_user)
    return manager
