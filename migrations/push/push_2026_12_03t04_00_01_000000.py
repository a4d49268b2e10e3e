from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from backend.kernel.partitions import partition_by_month

ID = "2026-12-03T04:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "deliveries split by month on PostgreSQL, one per device and notification still"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="push", description=DESCRIPTION)

    async def split_by_month():
        engine = engine_finder()
        await engine.run_ddl(
            "UPDATE push_delivery SET notified_at = COALESCE((SELECT created_at FROM "
            "push_notification WHERE push_notification.id = push_delivery.notification_id), "
            "updated_at) WHERE notified_at IS NULL"
        )
        if engine.engine_type != "postgres":
            return
        # Every delivery of a notification has its time, so the index with it still
        # allows one delivery per device and notification.
        await engine.run_ddl(
            "ALTER TABLE push_delivery ALTER COLUMN notified_at SET DEFAULT CURRENT_TIMESTAMP, "
            "ALTER COLUMN notified_at SET NOT NULL"
        )
        await engine.run_ddl("DROP INDEX IF EXISTS push_delivery_once")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX push_delivery_once "
            "ON push_delivery (notification_id, device_id, notified_at)"
        )
        await partition_by_month(engine, "push_delivery", "notified_at")

    manager.add_raw(split_by_month)
    return manager
