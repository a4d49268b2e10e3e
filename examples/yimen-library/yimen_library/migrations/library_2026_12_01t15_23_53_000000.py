from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T15:23:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "count the books each reader already has out"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="library", description=DESCRIPTION
    )

    async def count_books_out():
        await engine_finder().run_ddl(
            "INSERT INTO library_reader (user_id, books_out) "
            "SELECT user_id, COUNT(*) FROM library_loan WHERE status <> 'returned' "
            "GROUP BY user_id"
        )

    manager.add_raw(count_books_out)
    return manager
