from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T21:47:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "the worklist reads an org's cases at a step in deadline order"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="gov_services", description=DESCRIPTION
    )

    async def worklist_index():
        # The worklist reads an org subtree's cases at one step by deadline: this index
        # answers it in order, without sorting every open case.
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS gov_services_application_work "
            "ON gov_services_application (assignee_org, current_step, status, due_at)"
        )

    async def drop_worklist_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS gov_services_application_work")

    manager.add_raw(worklist_index)
    manager.add_raw_backwards(drop_worklist_index)
    return manager
