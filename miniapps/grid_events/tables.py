from piccolo.columns import (
    JSON,
    BigInt,
    BigSerial,
    Boolean,
    Integer,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class GridEvent(Table, tablename="grid_events_event"):
    """A reported event, the grid it lies in, where it stands and who handles it."""

    id = BigSerial(primary_key=True)
    category = Varchar(length=32, index=True)
    description = Text()
    attributes = JSON(default={})
    lat = Real(null=True, default=None)
    lon = Real(null=True, default=None)
    address = Varchar(length=300, default="")
    grid_path = Varchar(length=200, index=True)
    reporter_id = BigInt(index=True)
    state = Varchar(length=16, index=True)
    handler_id = BigInt(null=True, default=None, index=True)
    deadline = Timestamptz(null=True, default=None)
    duplicate_of = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    supervised = Boolean(default=False)
    # Bumped by every change of the event: each change is conditional on the version it read,
    # so of two changes made from one reading exactly one lands.
    version = Integer(default=0)


class TimelineEntry(Table, tablename="grid_events_timeline"):
    """One step of an event: who moved it, from where to where, and why. Append-only."""

    id = BigSerial(primary_key=True)
    event_id = BigInt(index=True)
    action = Varchar(length=16)
    from_state = Varchar(length=16, null=True, default=None)
    to_state = Varchar(length=16)
    actor_id = BigInt()
    reason = Text(default="")
    detail = JSON(default={})
    at = Timestamptz(default=TimestamptzNow())


class Escalation(Table, tablename="grid_events_escalation"):
    """An overdue event taken to the next level up for supervision (督办); one row per event
    and level, so two workers running the cron escalate it once."""

    id = BigSerial(primary_key=True)
    event_id = BigInt(index=True)
    level = Varchar(length=200)
    at = Timestamptz(default=TimestamptzNow())


class Sensor(Table, tablename="grid_events_sensor"):
    """An IoT device (manhole tilt, water level, smoke) that may open events in its grid."""

    id = BigSerial(primary_key=True)
    device = Varchar(length=64, unique=True)
    secret_sealed = Text()
    grid_path = Varchar(length=200)
    category = Varchar(length=32)
    threshold = Real()
    last_timestamp = BigInt(default=0)
    open_event_id = BigInt(null=True, default=None)


class Photo(Table, tablename="grid_events_photo"):
    """A photo of an event, before or after handling, kept through the storage interface."""

    id = BigSerial(primary_key=True)
    event_id = BigInt(index=True)
    stage = Varchar(length=8)
    storage_key = Varchar(length=100)
    content_type = Varchar(length=32)
    size = BigInt()
    uploaded_by = BigInt()
    at = Timestamptz(default=TimestamptzNow())


class OffDuty(Table, tablename="grid_events_off_duty"):
    """A worker off duty (下班) since when; going back on duty deletes the row."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    since = Timestamptz(default=TimestamptzNow())


class DispatchRule(Table, tablename="grid_events_dispatch_rule"):
    """Events of a category in a place (and below it) go to this worker first; one rule per
    category and place."""

    id = BigSerial(primary_key=True)
    category = Varchar(length=32)
    place_path = Varchar(length=200)
    handler_id = BigInt()
    set_by = BigInt()
    set_at = Timestamptz(default=TimestamptzNow())
