from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T11:48:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open visit per worker"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="elderly_care", description=DESCRIPTION)

    async def one_home_at_a_time():
        # A worker is at one home at a time: two check-ins at once open one visit.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX elderly_care_visit_open"
            " ON elderly_care_visit (worker_id) WHERE left_at IS NULL"
        )

    manager.add_raw(one_home_at_a_time)
    return manager
