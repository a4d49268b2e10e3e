from piccolo.columns import (
    JSON,
    BigInt,
    BigSerial,
    Boolean,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Device(Table, tablename="push_device"):
    """A phone or browser that can receive pushes; one address belongs to one user at a time."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(index=True)
    provider = Varchar(length=16, default="fcm")
    kind = Varchar(length=8)  # "token" (registration token) or "fid" (installation id)
    address = Varchar(length=4096, unique=True)
    platform = Varchar(length=8)
    app_version = Varchar(length=32, default="")
    locale = Varchar(length=8, default="zh-CN")
    active = Boolean(default=True, index=True)
    deactivated_reason = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen = Timestamptz(default=TimestamptzNow(), index=True)


class Notification(Table, tablename="push_notification"):
    """What a mini-app asked to tell an audience; inbox rows and deliveries follow from it."""

    id = BigSerial(primary_key=True)
    source = Varchar(length=32)
    category = Varchar(length=32)
    template = Varchar(length=64)
    titles = JSON()
    bodies = JSON()
    data = JSON(default={})
    audience = JSON()
    urgent = Boolean(default=False)
    collapse_key = Varchar(length=64, null=True, default=None)
    ttl = Integer(default=3600)
    deep_link = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    fanned_out_at = Timestamptz(null=True, default=None)
    recipients = Integer(default=0)
    # An area notice's people are written a page at a time after its topic sends went out:
    # the id of the last one done (0 before the first page); None for other notices.
    area_done_to = BigInt(null=True, default=None)


class InboxItem(Table, tablename="push_inbox"):
    """A notification as its recipient reads it, whatever happened to the push."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(index=True)
    notification_id = BigInt(index=True)
    category = Varchar(length=32)
    title = Text()
    body = Text()
    deep_link = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None, index=True)


class Delivery(Table, tablename="push_delivery"):
    """One notification to one device: sent at most once, whatever reruns its job.

    `notified_at` is its notification's `created_at`, the same for all its deliveries: the
    table is split by its month on PostgreSQL, and one delivery per device and notification
    stays unique with it in the index."""

    id = BigSerial(primary_key=True)
    notification_id = BigInt(index=True)
    user_id = BigInt(index=True)
    device_id = BigInt(null=True, default=None)
    status = Varchar(length=24, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    error = Text(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
    # Null only in the column's first migration (SQLite adds no column defaulting to now);
    # PostgreSQL refuses null, as the column is part of the primary key there.
    notified_at = Timestamptz(null=True, default=TimestamptzNow())


class Preference(Table, tablename="push_preference"):
    """Quiet hours (minutes after local midnight) and the categories a user opted out of."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    quiet_start = Integer(null=True, default=None)
    quiet_end = Integer(null=True, default=None)
    timezone = Varchar(length=40, default="Asia/Shanghai")
    muted_categories = JSON(default=[])


class TopicSubscription(Table, tablename="push_topic_subscription"):
    """A device's place in an FCM topic (one per org unit, one per locale): `wanted` says join
    or leave, and `synced_at` when FCM was last told so; a synced leave is deleted."""

    id = BigSerial(primary_key=True)
    device_id = BigInt(index=True)
    topic = Varchar(length=200, index=True)
    wanted = Boolean(default=True)
    synced_at = Timestamptz(null=True, default=None, index=True)
    error = Text(null=True, default=None)


class TopicSend(Table, tablename="push_topic_send"):
    """One notification to an FCM topic or condition, in one language: sent at most once,
    whatever reruns its job, however many devices listen."""

    id = BigSerial(primary_key=True)
    notification_id = BigInt(index=True)
    target = Varchar(length=1000)  # a topic name, or a condition over at most five topics
    condition = Boolean(default=False)
    locale = Varchar(length=8)
    status = Varchar(length=24, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    error = Text(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
