from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T07:51:48:000000"
VERSION = "1.38.0"
DESCRIPTION = "one check-in row per elder and day"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="elderly_care", description=DESCRIPTION)

    async def one_row_a_day():
        # The check-in and the sweep that finds it missed race to write the day: one wins.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX elderly_care_checkin_day_once"
            " ON elderly_care_checkin_day (elder_id, day)"
        )

    manager.add_raw(one_row_a_day)
    return manager
