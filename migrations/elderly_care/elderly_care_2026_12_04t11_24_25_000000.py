from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T11:24:25:000000"
VERSION = "1.38.0"
DESCRIPTION = "one reading per device and event id"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="elderly_care", description=DESCRIPTION)

    async def once_per_event():
        # A device that sends a reading again, having heard no answer, is taken once.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX elderly_care_device_reading_once"
            " ON elderly_care_device_reading (device_id, event_id)"
        )

    manager.add_raw(once_per_event)
    return manager
