from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:36:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "an application's step role, district and street for the worklist, and its clock's start"


def _params(**given):
    return {
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **given,
    }


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="gov_services", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Application",
        tablename="gov_services_application",
        column_name="step_role",
        db_column_name="step_role",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=32, default="", null=False),
        schema=None,
    )

    manager.add_column(
        table_class_name="Application",
        tablename="gov_services_application",
        column_name="assignee_district",
        db_column_name="assignee_district",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=200, default="", null=False),
        schema=None,
    )

    manager.add_column(
        table_class_name="Application",
        tablename="gov_services_application",
        column_name="assignee_street",
        db_column_name="assignee_street",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=200, default="", null=False),
        schema=None,
    )

    manager.add_column(
        table_class_name="Application",
        tablename="gov_services_application",
        column_name="clock_from",
        db_column_name="clock_from",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=None, null=True),
        schema=None,
    )

    return manager
