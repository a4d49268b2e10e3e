from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T09:58:15:565862"
VERSION = "1.38.0"
DESCRIPTION = "a version per event, so that each change is conditional on what it read"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="grid_events", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="GridEvent",
        tablename="grid_events_event",
        column_name="version",
        db_column_name="version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
