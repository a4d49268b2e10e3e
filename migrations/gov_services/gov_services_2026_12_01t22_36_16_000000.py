from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:36:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "the worklist reads a district's or a street's open cases of one role in due order"

# Cases staff owe the next step on (submitted, in progress, decided). Written out, not
# imported, so that the migration stays what it was when it ran; the worklist's query names
# the same statuses, which is what lets PostgreSQL use these partial indexes.
ON_STAFF = "('decided', 'in_progress', 'submitted')"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="gov_services", description=DESCRIPTION
    )

    async def work_indexes():
        # Replaces (assignee_org, current_step, status, due_at): a subtree spans many orgs,
        # so that index gave a district's cases only org by org, to be sorted by due date
        # as a whole. Keyed on role and district (or street), then due date and id (the
        # page order), these read a district's (or a street's) first page as the first
        # rows of one range. A street's cases filtered out of its district's range would
        # cost the district's other streets' cases, and all of them for a street with none.
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS gov_services_application_work")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS gov_services_application_work "
            "ON gov_services_application (step_role, assignee_district, due_at, id) "
            f"WHERE status IN {ON_STAFF}"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS gov_services_application_street_work "
            "ON gov_services_application (step_role, assignee_street, due_at, id) "
            f"WHERE status IN {ON_STAFF}"
        )

    async def former_index():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS gov_services_application_street_work")
        await engine.run_ddl("DROP INDEX IF EXISTS gov_services_application_work")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS gov_services_application_work "
            "ON gov_services_application (assignee_org, current_step, status, due_at)"
        )

    manager.add_raw(work_indexes)
    manager.add_raw_backwards(former_index)
    return manager
