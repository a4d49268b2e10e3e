"""What the open platform keeps: publishers, their apps with credentials, and each app's
versions as submitted for review."""

from __future__ import annotations

from piccolo.columns import BigInt, BigSerial, Integer, Text, Timestamptz, Varchar
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
    manifest's id, fixed for the app's life."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=18, unique=True)
    slug = Varchar(length=32, unique=True)
    publisher_id = BigInt(index=True)
    created_by = BigInt()
    created_at = Timestamptz()


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
