"""What the open platform's routes take and give: a publisher, an app's manifest and
credentials, its versions and their review."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from backend.sdk import BodyRowId, Role

SAYS_SOMETHING = r"\S"
ONE_LINE = r"^[^\r\n]*\S[^\r\n]*(?!\n)$"
# A pattern is searched for, and `$` matches before a last newline too: `(?!\n)$` does not.
# 统一社会信用代码 (GB 32100-2015): its alphabet leaves out I, O, Z, S and V.
CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?!\n)$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}(?!\n)$"
SLUG = r"^[a-z][a-z0-9-]{2,31}(?!\n)$"
APP_ID = r"^yx[0-9a-f]{16}(?!\n)$"
ORG_PATH = r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}(?!\n)$"
LABEL = r"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?!\n)$"
ICON_BYTES = 64 * 1024
TEMPLATE_ID = r"^[a-z][a-z0-9_]{0,23}(?!\n)$"
PLACEHOLDER = r"^[a-z][a-z0-9_]{0,31}(?!\n)$"
MAX_TEMPLATES = 10
MAX_VALUE = 32  # characters of one value filled into a template: a name, a date, a number
# Something visible, and no control characters or line breaks for a lock screen to show
# (the notices check each character's category beyond this: `notices.unshown`).
NOTICE_VALUE = r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f\u2028\u2029]+(?!\n)$"
TITLE_PLACEHOLDERS, BODY_PLACEHOLDERS = 2, 5

OneLine = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=ONE_LINE)]
Url = Annotated[str, msgspec.Meta(min_length=8, max_length=500)]
Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500, pattern=SAYS_SOMETHING)]


class PublisherStatus(enum.StrEnum):
    PENDING = "pending"  # a platform admin is to verify it
    VERIFIED = "verified"  # it may register apps
    REJECTED = "rejected"  # it may correct its registration and send it again


class PublisherIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: OneLine
    credit_code: Annotated[str, msgspec.Meta(pattern=CREDIT_CODE)]
    contact_email: Annotated[str, msgspec.Meta(max_length=254, pattern=EMAIL)]


class PublisherView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    credit_code: str
    contact_email: str
    owner_id: int
    status: PublisherStatus
    registered_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str | None


class PublisherList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[PublisherView]


class VerificationIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Verify the publisher, or reject its registration saying why (`reason` is then
    required)."""

    verified: bool
    reason: Reason | None = None


class Permission(enum.StrEnum):
    """What an app may ask of the platform, each granted by review."""

    PROFILE = "profile.read"  # read the fields a user consented to
    NOTIFY = "notify.send"  # send a user template notifications


class DataField(enum.StrEnum):
    """What an app may ask a user's consent to, each for a stated purpose: a field of their
    private data, or (`notifications`) being sent the app's template notifications."""

    NAME = "name"
    PHONE = "phone"
    ID_CARD = "id_card"
    DISTRICT = "district"
    NOTIFICATIONS = "notifications"


PROFILE_FIELDS = frozenset(DataField) - {DataField.NOTIFICATIONS}


class WebhookEvent(enum.StrEnum):
    CONSENT_REVOKED = "consent.revoked"
    VERSION_APPROVED = "version.approved"
    VERSION_REJECTED = "version.rejected"
    DISTRICT_ENABLED = "district.enabled"
    DISTRICT_DISABLED = "district.disabled"
    USER_UNBOUND = "user.unbound"


class AppNames(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    zh_cn: Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=ONE_LINE)] = (
        msgspec.field(name="zh-CN")
    )
    en: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=ONE_LINE)] | None = None


class DataAsk(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A field of a user's data the app asks for, and what for: shown to the user."""

    field: DataField
    purpose: Annotated[str, msgspec.Meta(min_length=4, max_length=200, pattern=ONE_LINE)]


class NoticeTitles(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    zh_cn: Annotated[str, msgspec.Meta(min_length=1, max_length=30, pattern=ONE_LINE)] = (
        msgspec.field(name="zh-CN")
    )
    en: Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=ONE_LINE)] | None = None


class NoticeBodies(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    zh_cn: Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=ONE_LINE)] = (
        msgspec.field(name="zh-CN")
    )
    en: Annotated[str, msgspec.Meta(min_length=1, max_length=240, pattern=ONE_LINE)] | None = None


class NoticeTemplate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A notification the app may send, reviewed with its version. The words are the
    template's; the app's server fills in only its `{placeholders}`, each a plain name."""

    id: Annotated[str, msgspec.Meta(pattern=TEMPLATE_ID)]
    titles: NoticeTitles
    bodies: NoticeBodies


class Webhook(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    url: Url
    events: Annotated[frozenset[WebhookEvent], msgspec.Meta(min_length=1)]


class AppManifest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An app as its publisher describes it. `icon` is a square PNG, base64, 48 to 512
    pixels a side and at most 64 KiB; every URL is https on one of `allowed_domains`."""

    id: Annotated[str, msgspec.Meta(pattern=SLUG)]
    names: AppNames
    icon: Annotated[str, msgspec.Meta(min_length=8, max_length=ICON_BYTES * 4 // 3 + 4)]
    entry_url: Url
    allowed_domains: Annotated[
        frozenset[Annotated[str, msgspec.Meta(min_length=3, max_length=253)]],
        msgspec.Meta(min_length=1, max_length=10),
    ]
    permissions: Annotated[frozenset[Permission], msgspec.Meta(max_length=len(Permission))] = (
        frozenset()
    )
    data: Annotated[list[DataAsk], msgspec.Meta(max_length=len(DataField))] = []
    target_roles: Annotated[frozenset[Role], msgspec.Meta(min_length=1, max_length=len(Role))]
    webhook: Webhook | None = None
    templates: Annotated[list[NoticeTemplate], msgspec.Meta(max_length=MAX_TEMPLATES)] = []


class AppIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    label: Annotated[str, msgspec.Meta(pattern=LABEL)]
    manifest: AppManifest


class AppView(msgspec.Struct, frozen=True, kw_only=True):
    app_id: str
    slug: str
    publisher_id: int
    created_at: dt.datetime
    secrets: int  # how many secrets work now: 2 during a rotation's overlap


class AppList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AppView]


class SecretIssued(msgspec.Struct, frozen=True, kw_only=True):
    """A new secret, shown this once; the ones before it work until `previous_until`."""

    app_id: str
    secret: str
    previous_until: dt.datetime | None


class AppRegistered(msgspec.Struct, frozen=True, kw_only=True):
    app: AppView
    credentials: SecretIssued
    version_id: int


class AppVersionStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AppVersionView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    app_id: str
    number: int
    label: str
    status: AppVersionStatus
    manifest: AppManifest
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    reason: str | None


class AppVersionList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AppVersionView]


class VersionReviewIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Approve the version, or reject it saying why (`reason` is then required)."""

    approved: bool
    reason: Reason | None = None


class ManifestChange(msgspec.Struct, frozen=True, kw_only=True):
    """One field of the manifest that differs from the version it would replace."""

    field: str
    was: object
    now: object


class ReviewItem(msgspec.Struct, frozen=True, kw_only=True):
    version: AppVersionView
    publisher: str
    against: int | None  # the version compared with: the last approved, if any
    changes: list[ManifestChange]
    asks_more: bool  # more permissions or data than `against`


class ReviewQueue(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ReviewItem]


class TokenIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An app's credentials, sent by its server alone."""

    app_id: Annotated[str, msgspec.Meta(pattern=APP_ID)]
    secret: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class TokenIssued(msgspec.Struct, frozen=True, kw_only=True):
    """Sent as `Authorization: Bearer <access_token>` to the open API until `expires_at`."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the kind RFC 6749 names, not a secret
    expires_in: int  # seconds
    expires_at: dt.datetime


class CallingApp(msgspec.Struct, frozen=True, kw_only=True):
    """The app a token belongs to, as the open API sees it."""

    app_id: str
    slug: str
    publisher: str


class GrayIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who gets the version in gray release: a share of users, picked by a stable hash of
    app and user, and everyone in the districts named."""

    percent: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    districts: Annotated[
        frozenset[Annotated[str, msgspec.Meta(max_length=200, pattern=ORG_PATH)]],
        msgspec.Meta(max_length=20),
    ] = frozenset()


class RollbackIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    version_id: BodyRowId


class ReleaseKind(enum.StrEnum):
    GRAY = "gray"
    GRAY_STOPPED = "gray_stopped"
    RELEASE = "release"
    ROLLBACK = "rollback"


class ReleaseStep(msgspec.Struct, frozen=True, kw_only=True):
    version_id: int
    kind: ReleaseKind
    gray_percent: int
    gray_districts: list[str]
    at: dt.datetime


class Gray(msgspec.Struct, frozen=True, kw_only=True):
    version_id: int
    percent: int
    districts: list[str]


class ReleaseView(msgspec.Struct, frozen=True, kw_only=True):
    """Where the app's release stands, and its last steps, the newest first."""

    app_id: str
    released_version_id: int | None
    gray: Gray | None
    rollback_to: list[int]  # the versions a rollback may return to, the newest first
    steps: list[ReleaseStep]


DISTRICT = r"^[a-z0-9][a-z0-9-]{0,31}/[a-z0-9][a-z0-9-]{0,31}(?!\n)$"
District = Annotated[str, msgspec.Meta(max_length=65, pattern=DISTRICT)]


class DistrictState(enum.StrEnum):
    OFF = "off"  # never switched on in the district, or switched off
    ON = "on"
    # Switched on, but a version out now asks for more than the district approved: off
    # until its admin approves again.
    NEEDS_APPROVAL = "needs_approval"


class DistrictApp(msgspec.Struct, frozen=True, kw_only=True):
    """An app out on the platform as a district sees it: what its versions out now ask
    for, what the district approved, and whether it is on there."""

    app_id: str
    names: AppNames
    state: DistrictState
    asks: list[str]  # permissions, and the data fields as data.<field>
    approved: list[str]
    changed_at: dt.datetime | None
    # What each data field asked for is for, as the app tells its users (data.<field>: the
    # purpose of the newest version out that asks it): what the admin approves it for.
    purposes: dict[str, str] = {}


class DistrictAppList(msgspec.Struct, frozen=True, kw_only=True):
    district: str
    items: list[DistrictApp]


class DistrictSwitchIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Switch the app on in the district, approving `asks`: what the admin was shown the app
    asks for there, which must be what it asks for now. Or switch it off (`asks` unused)."""

    district: District
    enabled: bool
    asks: (
        Annotated[
            frozenset[Annotated[str, msgspec.Meta(max_length=32)]],
            msgspec.Meta(max_length=len(Permission) + len(DataField)),
        ]
        | None
    ) = None


class AskedField(msgspec.Struct, frozen=True, kw_only=True):
    field: DataField
    purpose: str
    consented: bool


class AppEntry(msgspec.Struct, frozen=True, kw_only=True):
    """The app as a user is about to open it: its page, and each field of their data it
    asks for, with its purpose and whether they consented."""

    app_id: str
    version_id: int
    names: AppNames
    entry_url: str
    fields: list[AskedField]


class LaunchIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Open the app in `district` (one where the caller lives or works; left out when they
    are in one only), consenting to the fields named in `consent` first."""

    district: District | None = None
    consent: Annotated[frozenset[DataField], msgspec.Meta(max_length=len(DataField))] = frozenset()


class Launched(msgspec.Struct, frozen=True, kw_only=True):
    """The code the app's page hands its server, good once within `expires_in` seconds."""

    code: str
    expires_in: int
    entry_url: str


class LaunchCodeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class ConsentedClaims(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """The fields of a user's data they consented to the app reading; the others absent."""

    name: str | None = None
    phone: str | None = None
    id_card: str | None = None
    district: str | None = None


class OpenSession(msgspec.Struct, frozen=True, kw_only=True):
    """Who launched the app: `openid` is theirs for this app only, `unionid` for every app
    of its publisher; neither links them across publishers."""

    openid: str
    unionid: str
    version_id: int
    claims: ConsentedClaims


OPENID = r"^[0-9a-f]{32}(?!\n)$"


class OpenProfile(msgspec.Struct, frozen=True, kw_only=True):
    """What the user behind `openid` consents to the app reading now; the rest absent."""

    openid: str
    claims: ConsentedClaims


class ConsentView(msgspec.Struct, frozen=True, kw_only=True):
    app_id: str
    app_name: str
    field: DataField
    purpose: str
    granted_at: dt.datetime


class ConsentList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ConsentView]


class AppTold(msgspec.Struct, frozen=True, kw_only=True):
    """Something an app is told of through its webhook, if it subscribed to `event`."""

    app_id: str
    event: WebhookEvent
    data: dict[str, object]


class WebhookBody(msgspec.Struct, frozen=True, kw_only=True):
    """What a webhook POSTs: `id` names the event, the same in a redelivery."""

    id: str
    type: WebhookEvent
    app_id: str
    occurred_at: dt.datetime
    data: dict[str, object]


class WebhookKeyIssued(msgspec.Struct, frozen=True, kw_only=True):
    """A new key webhooks are signed with, shown this once; until `previous_until` each
    webhook carries a signature by the key before it too."""

    app_id: str
    key: str
    previous_until: dt.datetime | None


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookAttemptView(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    tried_at: dt.datetime
    status_code: int | None  # None: no answer (`error` says why)
    error: str | None
    took_ms: int


class WebhookDeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    event_id: str
    event: WebhookEvent
    url: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    redelivery_of: int | None
    tries: list[WebhookAttemptView]


class WebhookDeliveryList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[WebhookDeliveryView]


class UsageDay(msgspec.Struct, frozen=True, kw_only=True):
    """An app's use in a district on one of the city's days."""

    app_id: str
    district: str
    day: dt.date
    launches: int
    users: int  # who launched it that day, each once


class UsageTotal(msgspec.Struct, frozen=True, kw_only=True):
    """An app's use in a district over the whole span: a user of several days counts once."""

    app_id: str
    district: str
    launches: int
    users: int


class UsageReport(msgspec.Struct, frozen=True, kw_only=True):
    """Launches and unique users from `since` to `until`, the city's days, both included."""

    since: dt.date
    until: dt.date
    days: list[UsageDay]
    totals: list[UsageTotal]


class NotificationIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Send the user the template `template` of the app's version they have, `values`
    filling in each of its placeholders: a short value on one line each."""

    template: Annotated[str, msgspec.Meta(pattern=TEMPLATE_ID)]
    values: Annotated[
        dict[
            Annotated[str, msgspec.Meta(pattern=PLACEHOLDER)],
            Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_VALUE, pattern=NOTICE_VALUE)],
        ],
        msgspec.Meta(
            max_length=20,
            description="Each placeholder of the template by name, and its value: at most "
            f"{MAX_VALUE} characters on one line, with something to see and nothing hidden.",
        ),
    ] = {}


class NotificationSent(msgspec.Struct, frozen=True, kw_only=True):
    """The notification is on its way: to the user's devices, and to their inbox."""

    openid: str
    template: str
    sent_at: dt.datetime
