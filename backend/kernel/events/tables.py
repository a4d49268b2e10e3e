from piccolo.columns import JSON, UUID, BigSerial, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEvent(Table, tablename="event_outbox"):
    """A domain event, written in the transaction that caused it; delivered after commit."""

    id = BigSerial(primary_key=True)
    event_id = UUID(unique=True)
    name = Varchar(length=100, index=True)
    payload = JSON()
    created_at = Timestamptz(default=TimestamptzNow())
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    attempts = Integer(default=0)
    last_error = Text(null=True, default=None)
    dispatched_at = Timestamptz(null=True, default=None, index=True)


class HandledEvent(Table, tablename="event_handled"):
    """One handler's effect of one event, committed with that effect: never twice."""

    id = BigSerial(primary_key=True)
    event_id = UUID(index=True)
    handler = Varchar(length=100)
    handled_at = Timestamptz(default=TimestamptzNow())
    # A unique index on (event_id, handler) is made by the migration: piccolo's composite
    # constraint does not create on SQLite.


class DeadLetter(Table, tablename="event_dead_letter"):
    """A handler that failed on its last try, with the error; `yimen events retry` re-runs it."""

    id = BigSerial(primary_key=True)
    event_id = UUID(index=True)
    name = Varchar(length=100)
    handler = Varchar(length=100)
    error = Text()
    attempts = Integer()
    failed_at = Timestamptz(default=TimestamptzNow())
