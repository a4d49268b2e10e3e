from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-22T04:49:57:974597"
VERSION = "1.38.0"
DESCRIPTION = "Drop the scan indexes nothing reads: every scan paid for them"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="health_code", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Scan",
        tablename="health_code_scan",
        column_name="scanner_scope",
        db_column_name="scanner_scope",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Scan",
        tablename="health_code_scan",
        column_name="code_hash",
        db_column_name="code_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
