from piccolo.columns import (
    JSON,
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class UserAccount(Table, tablename="user_account"):
    """A person with one login. Phone and ID-card number are sealed; lookups use keyed hashes."""

    id = BigSerial(primary_key=True)
    phone_lookup = Varchar(length=64, unique=True, index=True)
    phone_sealed = Text()
    name = Varchar(length=100, default="")
    id_card_sealed = Text(null=True, default=None)
    home_path = Varchar(length=200, null=True, default=None, index=True)
    locale = Varchar(length=8, null=True, default=None)  # None: as each request asks
    elder_mode = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class RoleAssignment(Table, tablename="role_assignment"):
    """A role held over an org path; deleting the account deletes its roles."""

    id = BigSerial(primary_key=True)
    user = ForeignKey(references=UserAccount, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=32)
    scope_path = Varchar(length=200, index=True)
    granted_by = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AuditEntry(Table, tablename="audit_entry"):
    """Who read or changed whose sensitive record, and when. Never updated or deleted."""

    id = BigSerial(primary_key=True)
    actor_id = BigInt(index=True)
    action = Varchar(length=64)
    subject_id = BigInt(null=True, default=None, index=True)
    detail = JSON(default={})
    at = Timestamptz(default=TimestamptzNow())
