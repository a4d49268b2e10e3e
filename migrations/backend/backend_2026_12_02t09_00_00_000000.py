from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a locale nobody chose is none: drop the column that defaulted to zh-CN"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="backend", description=DESCRIPTION)

    # Nothing could set an account's locale before PATCH /v1/me, so every value is the old
    # default, not a choice; the next migration adds the column back, empty. Dropping and
    # adding works on SQLite too, which cannot make an existing column nullable.
    manager.drop_column(
        table_class_name="UserAccount",
        tablename="user_account",
        column_name="locale",
        db_column_name="locale",
        schema=None,
    )

    return manager
