from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a role over a path is held once"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="backend", description=DESCRIPTION)

    async def held_once():
        engine = engine_finder()
        # Two grants racing each other could both have been written: keep the first.
        await engine.run_ddl(
            "DELETE FROM role_assignment WHERE id NOT IN (SELECT MIN(id) FROM role_assignment "
            'GROUP BY "user", role, scope_path)'
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS role_assignment_held_once "
            'ON role_assignment ("user", role, scope_path)'
        )

    async def drop_held_once():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS role_assignment_held_once")

    manager.add_raw(held_once)
    manager.add_raw_backwards(drop_held_once)
    return manager
