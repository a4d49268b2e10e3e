from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T07:34:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open SOS per elder"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="elderly_care", description=DESCRIPTION)

    async def one_open_sos():
        # Pressing the button twice at once must not start two cascades; ended alarms stay.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX elderly_care_alarm_open_sos ON elderly_care_alarm (elder_id)"
            " WHERE kind = 'sos' AND status IN ('raised', 'acknowledged', 'arrived')"
        )

    manager.add_raw(one_open_sos)
    return manager
