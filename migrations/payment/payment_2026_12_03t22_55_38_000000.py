from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T22:55:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "a charge once per part and reference, a named refund once"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payment", description=DESCRIPTION)

    async def unique_keys():
        # Indexes, not UNIQUE columns: SQLite cannot add a column that is unique.
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX payment_payment_charge_key ON payment_payment (charge_key)"
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX payment_refund_refund_key ON payment_refund (refund_key)"
        )

    manager.add_raw(unique_keys)
    return manager
