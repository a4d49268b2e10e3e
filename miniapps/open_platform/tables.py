"""What the open platform keeps: publishers, their apps with credentials, and each app's
versions as submitted for review."""

from __future__ import annotations

from piccolo.columns import BigInt, BigSerial, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Publisher(Table, tablename="open_platform_publisher"):
    """An organisation publishing mini-apps (a hospital chain, a utility), registered by
    its developer (`owner_id`) and verified by a platform admin. One per organisation (its
    统一社会信用代码) and one per developer; a rejected registration
    leaves the organisation's code free."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=100)
    # Unique among registrations not rejected (an index the migration makes).
    credit_code = Varchar(length=18, index=True)
    contact_email = Varchar(length=254)
    owner_id = BigInt(unique=True)
    status = Varchar(length=16)
    registered_at = Timestamptz()
    decided_by = BigInt(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=500, null=True, default=None)


class OpenApp(Table, tablename="open_platform_app"):
    """A publisher's mini-app: `app_id` is what its server names itself by, `slug` the
    manifest's id, fixed for the app's life. Its release: the version everyone gets, and
    the version in gray release, for a share of users (`gray_percent`) and for everyone in
    `gray_districts` (comma-joined org paths)."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, unique=True)
    slug = Varchar(length=32, unique=True)
    publisher_id = BigInt(index=True)
    created_by = BigInt()
    created_at = Timestamptz()
    released_version_id = BigInt(null=True, default=None)
    gray_version_id = BigInt(null=True, default=None)
    gray_percent = Integer(default=0)
    gray_districts = Text(default="")


class AppSecret(Table, tablename="open_platform_secret"):
    """One secret of an app, kept only as its SHA-256: the secret is random and long, so no
    slow hash is needed. A rotated-out secret still works until `retires_at`."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, index=True)
    digest = Varchar(length=64, unique=True)
    issued_at = Timestamptz()
    retires_at = Timestamptz(null=True, default=None)


class AppVersion(Table, tablename="open_platform_version"):
    """One version of an app's manifest and where it stands in review: draft, in review,
    approved, rejected (with the reviewer's reason) or withdrawn."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, index=True)
    number = Integer()
    label = Varchar(length=32)
    manifest = Text()
    status = Varchar(length=16, index=True)
    created_by = BigInt()
    created_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)
    reviewed_by = BigInt(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=500, null=True, default=None)


class OpenToken(Table, tablename="open_platform_token"):
    """An app's access token to the open API, kept as its SHA-256, good until `expires_at`
    (two hours; five minutes more at most once the app takes a new one)."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, index=True)
    secret_id = BigInt()  # the secret it was traded for: a token dies with its secret
    digest = Varchar(length=64, unique=True)
    issued_at = Timestamptz()
    expires_at = Timestamptz(index=True)


class ReleaseEntry(Table, tablename="open_platform_release_log"):
    """One step of an app's release, by its publisher: a gray release started or changed,
    stopped, a release, a rollback."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, index=True)
    version_id = BigInt()
    kind = Varchar(length=16)
    gray_percent = Integer(default=0)
    gray_districts = Text(default="")
    actor_id = BigInt()
    at = Timestamptz()


class DistrictSwitch(Table, tablename="open_platform_district"):
    """An app switched on or off in one district by its admin, and what the admin approved
    it to ask there (`approved_asks`, comma-joined): a version asking more is off in the
    district until they approve it again. One row per app and district (an index the
    migration makes); no row is off."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, index=True)
    district = Varchar(length=64)
    enabled = Boolean(default=False)
    approved_asks = Text(default="")
    changed_by = BigInt()
    changed_at = Timestamptz()


class Consent(Table, tablename="open_platform_consent"):
    """A user's consent to an app reading one field of their data, for the purpose the app
    stated then; revoked when `revoked_at` is set. At most one standing consent per app,
    user and field (an index the migration makes)."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18)
    user_id = BigInt(index=True)
    field = Varchar(length=16)
    purpose = Varchar(length=200)
    granted_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class LaunchCode(Table, tablename="open_platform_launch"):
    """A launch code, kept as its SHA-256: good once, for five minutes, for the app's server
    to learn who launched it, in which district and with which version."""

    id = BigSerial(primary_key=True)
    digest = Varchar(length=64, unique=True)
    app_id = Varchar(length=18)
    user_id = BigInt(index=True)
    district = Varchar(length=64)
    version_id = BigInt()
    issued_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    used_at = Timestamptz(null=True, default=None)


class OpenIdentity(Table, tablename="open_platform_identity"):
    """A user as one app knows them, once they launched it: the app reads their profile by
    `openid` later, in the district and the version they last launched it in."""

    id = BigSerial(primary_key=True)
    openid = Varchar(length=32, unique=True)  # a keyed hash of app and user: never shared
    app_id = Varchar(length=18)
    user_id = BigInt(index=True)
    district = Varchar(length=64)
    version_id = BigInt()  # the version they last launched, whose asks they consented under
    bound_at = Timestamptz()
    launched_at = Timestamptz()


class WebhookKey(Table, tablename="open_platform_webhook_key"):
    """A key the platform signs an app's webhooks with, sealed by the vault: unlike an app
    secret it must be read back to sign. A rotated-out key still signs until `retires_at`,
    beside the new one, so the publisher's servers can take the new one up one by one."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, index=True)
    sealed = Text()
    issued_at = Timestamptz()
    retires_at = Timestamptz(null=True, default=None)


class WebhookDelivery(Table, tablename="open_platform_webhook"):
    """One event to POST to an app's webhook, signed, and where its delivery stands:
    `pending` (due at `next_attempt_at`; a worker holds it until `leased_until`),
    `delivered`, or `failed` (a 4xx, no key to sign with, or its tries spent). A redelivery
    by hand is a new row with the same `event_id`, which receivers deduplicate by."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, index=True)
    event_id = Varchar(length=36)
    event = Varchar(length=32)
    url = Varchar(length=2048)
    body = Text()
    status = Varchar(length=12, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    leased_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    redelivery_of = BigInt(null=True, default=None)


class WebhookAttempt(Table, tablename="open_platform_webhook_attempt"):
    """One try of a delivery: the receiver's status code, or why there was none."""

    id = BigSerial(primary_key=True)
    delivery_id = BigInt(index=True)
    number = Integer()
    tried_at = Timestamptz()
    status_code = Integer(null=True, default=None)
    error = Varchar(length=200, null=True, default=None)
    took_ms = Integer()


class UsageCount(Table, tablename="open_platform_usage"):
    """How many times one user launched an app in a district on one of the city's days:
    one row each (an index the migration makes), so unique users count once over any days."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18)
    district = Varchar(length=64)
    day = Date(index=True)
    user_id = BigInt()
    launches = Integer(default=0)
