from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T16:15:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "statements read an account's entries newest first; no account overdraws"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payment", description=DESCRIPTION)

    async def statement_index():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS payment_entry_statement"
            " ON payment_entry (account_id, id)"
        )
        if isinstance(engine, PostgresEngine):
            # Beside the conditional update that guards every debit: the database itself
            # refuses a balance below zero on an account that may not overdraw.
            await engine.run_ddl(
                "ALTER TABLE payment_account ADD CONSTRAINT payment_account_no_overdraw"
                " CHECK (overdraw OR balance >= 0)"
            )

    async def drop_statement_index():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS payment_entry_statement")
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl(
                "ALTER TABLE payment_account DROP CONSTRAINT IF EXISTS payment_account_no_overdraw"
            )

    manager.add_raw(statement_index)
    manager.add_raw_backwards(drop_statement_index)
    return manager
