from piccolo.columns import BigInt, BigSerial, Bytea, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IdempotentRequest(Table, tablename="idempotent_request"):
    """The first answer to a POST sent with an Idempotency-Key, replayed to its repeats.
    A row without a status is a request still under way."""

    id = BigSerial(primary_key=True)
    user_id = BigInt()
    key = Varchar(length=200)
    route = Varchar(length=300)
    request_hash = Varchar(length=64)
    status = Integer(null=True, default=None)
    media_type = Varchar(length=100, default="application/json")
    body = Bytea(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
