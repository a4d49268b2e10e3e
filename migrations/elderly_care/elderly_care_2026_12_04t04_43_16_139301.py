from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T04:43:16:139301"
VERSION = "1.38.0"
DESCRIPTION = "an elder's care worker, grid worker and sealed risk notes"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="elderly_care", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Elder",
        tablename="elderly_care_elder",
        column_name="care_worker_id",
        db_column_name="care_worker_id",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": None,
            "null": True,
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

    manager.add_column(
        table_class_name="Elder",
        tablename="elderly_care_elder",
        column_name="grid_worker_id",
        db_column_name="grid_worker_id",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": None,
            "null": True,
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

    manager.add_column(
        table_class_name="Elder",
        tablename="elderly_care_elder",
        column_name="risk_notes_sealed",
        db_column_name="risk_notes_sealed",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": None,
            "null": True,
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
