from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T19:03:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payments made before they were dated as paid were paid when made"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payment", description=DESCRIPTION)

    async def date_the_paid():
        await engine_finder().run_ddl(
            "UPDATE payment_payment SET paid_at = created_at"
            " WHERE status = 'paid' AND paid_at IS NULL"
        )

    manager.add_raw(date_the_paid)
    return manager
