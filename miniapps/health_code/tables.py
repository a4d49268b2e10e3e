from piccolo.columns import BigInt, BigSerial, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class HealthStatus(Table, tablename="health_code_status"):
    """A resident's current colour; `version` grows with every change, so an online scan
    can tell a code issued before the change."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    colour = Varchar(length=8)
    reason = Text(default="")
    source = Varchar(length=64, default="")
    valid_until = Timestamptz(null=True, default=None)
    set_by = BigInt(null=True, default=None)
    set_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class StatusChange(Table, tablename="health_code_status_change"):
    """Every colour a resident was given, by whom and why. Never updated or deleted."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(index=True)
    colour = Varchar(length=8)
    reason = Text(default="")
    source = Varchar(length=64, default="")
    valid_until = Timestamptz(null=True, default=None)
    set_by = BigInt(null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class HolderKey(Table, tablename="health_code_holder_key"):
    """The public key of the phone a resident's codes are bound to, and their pairwise id."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    subject = Varchar(length=32, unique=True)
    public_key = Varchar(length=64)
    enrolled_at = Timestamptz(default=TimestamptzNow())


class Scan(Table, tablename="health_code_scan"):
    """A checkpoint's scan: where, when, whom (pairwise) and the verdict. Kept for a while."""

    id = BigSerial(primary_key=True)
    place = Varchar(length=200)
    scanner_id = BigInt()
    scanner_scope = Varchar(length=200)
    subject = Varchar(length=32, null=True, default=None, index=True)
    code_hash = Varchar(length=64)
    colour = Varchar(length=8, null=True, default=None)
    valid = Boolean()
    reason = Varchar(length=32, null=True, default=None)
    scanned_at = Timestamptz(default=TimestamptzNow(), index=True)


class Place(Table, tablename="health_code_place"):
    """A venue with a static place code (场所码), inside an org unit."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=200)
    org_path = Varchar(length=200, index=True)
    owner_id = BigInt(index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CheckIn(Table, tablename="health_code_check_in"):
    """A resident who scanned a place code, with the colour they had then."""

    id = BigSerial(primary_key=True)
    place_id = BigInt(index=True)
    user_id = BigInt(index=True)
    colour = Varchar(length=8)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class RiskLevel(Table, tablename="health_code_risk_level"):
    """A community's risk level (小区三色分层管理): low, medium or high."""

    id = BigSerial(primary_key=True)
    community = Varchar(length=200, unique=True)
    level = Varchar(length=8)
    set_by = BigInt(null=True, default=None)
    set_at = Timestamptz(default=TimestamptzNow())
