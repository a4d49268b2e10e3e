from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a login code is sent by a job, its phone and code sealed until then"


def _params(default: object, *, null: bool, index: bool = False, **extra: object) -> dict:
    return {
        "default": default,
        "null": null,
        "primary_key": False,
        "unique": False,
        "index": index,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


COLUMNS = [
    ("request_key", Varchar, _params(None, null=True, index=True, length=32)),
    ("phone_sealed", Text, _params(None, null=True)),
    ("code_sealed", Text, _params(None, null=True)),
    ("delivery", Varchar, _params("queued", null=False, length=20)),
    ("delivery_error", Text, _params(None, null=True)),
    ("send_attempts", Integer, _params(0, null=False)),
    ("next_send_at", Timestamptz, _params(None, null=True, index=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="auth", description=DESCRIPTION)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="OneTimeCode",
            tablename="auth_one_time_code",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
