from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from backend.sdk import partition_by_month

ID = "2026-12-03T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scans and check-ins split by month on PostgreSQL; old months are dropped whole"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="health_code", description=DESCRIPTION)

    async def split_by_month():
        engine = engine_finder()
        if engine.engine_type == "postgres":
            await partition_by_month(engine, "health_code_scan", "scanned_at")
            await partition_by_month(engine, "health_code_check_in", "at")

    manager.add_raw(split_by_month)
    return manager
