from piccolo.columns import JSON, BigInt, BigSerial, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SigningKeyRow(Table, tablename="auth_signing_key"):
    """An access-token signing key; the private half is sealed with the platform secret."""

    id = BigSerial(primary_key=True)
    kid = Varchar(length=64, unique=True)
    algorithm = Varchar(length=16)
    private_sealed = Text()
    public_jwk = JSON()
    signing = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    retire_after = Timestamptz(null=True, default=None)


class OneTimeCode(Table, tablename="auth_one_time_code"):
    """A login code sent to a phone, stored as a keyed hash, and its delivery by SMS.

    Until the code is sent the phone and the code wait here sealed with the platform secret
    (the send job needs them back; the outbox event names only the row), and the seal of
    the code is dropped once its delivery is settled. `request_key` is what the app holds to
    ask how the delivery went; `next_send_at` is when the send job may (re)try, and while a
    send is on the wire, when its claim lapses."""

    id = BigSerial(primary_key=True)
    phone_lookup = Varchar(length=64, index=True)
    code_hash = Varchar(length=64)
    ip = Varchar(length=64, index=True)
    attempts = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    expires_at = Timestamptz()
    consumed_at = Timestamptz(null=True, default=None)
    request_key = Varchar(length=32, null=True, default=None, index=True)
    phone_sealed = Text(null=True, default=None)
    code_sealed = Text(null=True, default=None)
    delivery = Varchar(length=20, default="queued")
    delivery_error = Text(null=True, default=None)
    send_attempts = Integer(default=0)
    next_send_at = Timestamptz(null=True, default=None, index=True)


class RefreshToken(Table, tablename="auth_refresh_token"):
    """One link of a refresh-token family; a used link presented again revokes the family."""

    id = BigSerial(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    family = Varchar(length=32, index=True)
    user_id = BigInt(index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # When the login that began the family proved the holder by a one-time code: every
    # link carries it on, as every access token of the family says (`auth_time`).
    authenticated_at = Timestamptz(null=True, default=None)


class Revocation(Table, tablename="auth_revocation"):
    """A user whose access tokens issued before `revoked_at` are refused until `until`; with
    `session`, only the access tokens of that login (refresh family), whenever issued."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(index=True)
    revoked_at = Timestamptz()
    until = Timestamptz(index=True)
    session = Varchar(length=32, null=True, default=None)
