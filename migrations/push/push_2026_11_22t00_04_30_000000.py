from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T00:04:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "one delivery per notification and device"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="push", description=DESCRIPTION
    )

    async def once_per_device():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS push_delivery_once "
            "ON push_delivery (notification_id, device_id)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS push_inbox_user_id_id ON push_inbox (user_id, id)"
        )
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS push_topic_once "
            "ON push_topic_subscription (device_id, topic)"
        )

    async def drop_once_per_device():
        for index in ("push_delivery_once", "push_inbox_user_id_id", "push_topic_once"):
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {index}")

    manager.add_raw(once_per_device)
    manager.add_raw_backwards(drop_once_per_device)
    return manager
