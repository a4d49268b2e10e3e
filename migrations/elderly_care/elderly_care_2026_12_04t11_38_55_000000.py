from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T11:38:55:000000"
VERSION = "1.38.0"
DESCRIPTION = "one slot per service and start; one live booking per elder and slot"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="elderly_care", description=DESCRIPTION)

    async def unique_slots_and_bookings():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX elderly_care_slot_once"
            " ON elderly_care_slot (service_id, starts_at)"
        )
        # Two taps of "book" at once hold one place; a cancelled booking lets the elder
        # book the slot again.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX elderly_care_booking_once"
            " ON elderly_care_booking (elder_id, slot_id) WHERE status <> 'cancelled'"
        )

    manager.add_raw(unique_slots_and_bookings)
    return manager
