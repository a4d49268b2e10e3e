from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T21:55:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "the catalogue's invariants and its search by district, as indexes"

# Each a unique index where two admins racing could otherwise break an invariant: two
# versions of one number, two drafts of one item, two versions new applications start on.
INDEXES = {
    "gov_services_item_version_number": (
        "CREATE UNIQUE INDEX IF NOT EXISTS gov_services_item_version_number "
        "ON gov_services_item_version (item_id, version)"
    ),
    "gov_services_item_version_one_draft": (
        "CREATE UNIQUE INDEX IF NOT EXISTS gov_services_item_version_one_draft "
        "ON gov_services_item_version (item_id) WHERE status = 'draft'"
    ),
    "gov_services_item_version_current": (
        "CREATE UNIQUE INDEX IF NOT EXISTS gov_services_item_version_current "
        "ON gov_services_item_version (item_id) "
        "WHERE status = 'published' AND valid_to IS NULL"
    ),
    # The catalogue's district filter asks whether a version is offered in a district.
    "gov_services_item_district_offered": (
        "CREATE UNIQUE INDEX IF NOT EXISTS gov_services_item_district_offered "
        "ON gov_services_item_district (version_id, district)"
    ),
}


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="gov_services", description=DESCRIPTION
    )

    async def create_indexes():
        for ddl in INDEXES.values():
            await engine_finder().run_ddl(ddl)

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
