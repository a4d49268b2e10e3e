from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T21:56:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "one deadline notice per case and threshold, one escalation per case and level"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="gov_services", description=DESCRIPTION
    )

    async def once_each():
        # One notice per case and threshold, one escalation per case and level: the
        # deadline watch inserts or skips on these keys in the notice's transaction, so two
        # workers running it at once tell each org once.
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS gov_services_deadline_notice_once "
            "ON gov_services_deadline_notice (application_id, threshold)"
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS gov_services_escalation_once "
            "ON gov_services_escalation (application_id, level)"
        )

    async def drop_once_each():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS gov_services_deadline_notice_once")
        await engine.run_ddl("DROP INDEX IF EXISTS gov_services_escalation_once")

    manager.add_raw(once_each)
    manager.add_raw_backwards(drop_once_each)
    return manager
