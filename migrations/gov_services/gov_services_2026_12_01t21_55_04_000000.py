from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import BigSerial
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-01T21:55:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "the day's ref counter, a commitment's statement, a resident's own applications"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="gov_services", description=DESCRIPTION
    )

    manager.add_table(
        class_name="RefCounter",
        tablename="gov_services_ref_counter",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="RefCounter",
        tablename="gov_services_ref_counter",
        column_name="id",
        db_column_name="id",
        column_class_name="BigSerial",
        column_class=BigSerial,
        params={
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RefCounter",
        tablename="gov_services_ref_counter",
        column_name="day",
        db_column_name="day",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RefCounter",
        tablename="gov_services_ref_counter",
        column_name="issued",
        db_column_name="issued",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="MaterialItem",
        tablename="gov_services_material",
        column_name="statement",
        db_column_name="statement",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def applicants_index():
        # "My applications" pages through one applicant's rows newest first: this index
        # answers it in order, however many applications the city holds.
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS gov_services_application_mine "
            "ON gov_services_application (applicant_id, id)"
        )

    async def drop_applicants_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS gov_services_application_mine")

    manager.add_raw(applicants_index)
    manager.add_raw_backwards(drop_applicants_index)

    return manager
