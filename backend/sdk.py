"""The public SDK: everything a mini-app may use of the host, and nothing else.

A mini-app imports the host only from here (CI's import contract says so); the rest of
`backend`, and `auth` and `push`, may change under it. `docs/write-a-miniapp.md` documents
each name below.
"""

from backend.directory.errors import DirectoryCode
from backend.directory.orgs.service import place_in_grid, require_unit, unit_at
from backend.directory.people import (
    MaskedContact,
    Person,
    PersonalDetails,
    active_among,
    age_of,
    holders_above,
    holders_at,
    holders_of,
    holders_within,
    masked_contact,
    people,
    people_by_phone,
    person,
    person_by_phone,
    personal_details,
    scopes_held,
    unit_exists,
    units_under,
)
from backend.directory.users.service import audit
from backend.kernel.audience import Audience
from backend.kernel.bodies import strictly
from backend.kernel.caches import BoundedCache
from backend.kernel.care_alerts import ELDER_NEEDS_VISIT, ElderNeedsVisit
from backend.kernel.cashier import (
    CHARGE_FINISHED,
    CHARGE_LONGEST,
    CHARGE_SHORTEST,
    Cashier,
    Charge,
    ChargeFinished,
    ChargeStatus,
)
from backend.kernel.claims import Claims
from backend.kernel.clock import utc_now
from backend.kernel.codes import ErrorCode, KernelCode, register_messages
from backend.kernel.commands import run_with_database
from backend.kernel.contract import (
    BadgeSource,
    Cron,
    Event,
    Job,
    JobContext,
    Manifest,
    Section,
    Subscription,
    Tile,
    TileSource,
)
from backend.kernel.db import (
    UNIQUE_VIOLATION,
    all_or_nothing,
    fetch_each,
    fetch_rows,
    fetch_where_in,
    in_transaction,
    insert_rows,
    is_postgres,
    json_value,
    placeholders,
    transaction,
)
from backend.kernel.enablement.middleware import SwitchedOn
from backend.kernel.enablement.service import Enablement
from backend.kernel.encoded import EncodedAnswer
from backend.kernel.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
)
from backend.kernel.events import emit, on_commit, unit_of_work
from backend.kernel.group_commit import GroupCommit
from backend.kernel.guards import (
    OWN_BEARER,
    claims_of,
    holding_role,
    path_param,
    requires_role,
    requires_scope,
    role_held,
)
from backend.kernel.id_cards import age_on, birth_date_of, check_character
from backend.kernel.idempotency import idempotent
from backend.kernel.masking import mask_id_card, mask_name, mask_phone
from backend.kernel.metrics import count_scan
from backend.kernel.notices import notify
from backend.kernel.pagination import (
    PageCursor,
    PageLimit,
    decode_cursor,
    decode_position,
    encode_cursor,
    encode_position,
)
from backend.kernel.params import ROW_ID_MAX, AwareDatetime, BodyRowId, RowId, require_aware
from backend.kernel.partitions import Retention, TimePartitioned, partition_by_month
from backend.kernel.paths import Level, ancestors, district_of, is_valid, is_within, level_of
from backend.kernel.picture_routes import PhotoImage, PhotoUpload, photo_response
from backend.kernel.pictures import Picture, clean_picture, picture_sent
from backend.kernel.problems import problems
from backend.kernel.qr import QrImage, render_qr, render_qr_off_loop
from backend.kernel.ratelimit import Quota
from backend.kernel.ratelimit.middleware import count_against, rate_limited
from backend.kernel.read_together import ReadTogether, side_by_side
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import Role
from backend.kernel.service_desk import (
    APPLICATION_MOVED,
    ApplicationMoved,
    Outcome,
    ServiceDesk,
    StartedApplication,
)
from backend.kernel.services import PlatformKeys, Services, SigningKey
from backend.kernel.settings import Settings
from backend.kernel.signed_requests import body_signature, require_json, signed_recently
from backend.kernel.sms import SmsMessage, SmsOutcome, SmsProvider, SmsResult
from backend.kernel.storage import Storage
from backend.kernel.templates import Template
from backend.kernel.timers import cancel, every
from backend.kernel.vault import Vault
from backend.kernel.workdays import (
    CALENDAR_YEAR_LOADED,
    CalendarYearLoaded,
    Due,
    WorkCalendar,
    WorkingDays,
    work_calendar,
)

__all__ = [
    "APPLICATION_MOVED",
    "CALENDAR_YEAR_LOADED",
    "CHARGE_FINISHED",
    "CHARGE_LONGEST",
    "CHARGE_SHORTEST",
    "ELDER_NEEDS_VISIT",
    "OWN_BEARER",
    "ROW_ID_MAX",
    "UNIQUE_VIOLATION",
    "AnyRequest",
    "ApplicationMoved",
    "Audience",
    "AwareDatetime",
    "BadRequest",
    "BadgeSource",
    "BodyRowId",
    "BoundedCache",
    "CalendarYearLoaded",
    "Cashier",
    "Charge",
    "ChargeFinished",
    "ChargeStatus",
    "Claims",
    "Conflict",
    "Cron",
    "DirectoryCode",
    "Due",
    "ElderNeedsVisit",
    "Enablement",
    "EncodedAnswer",
    "ErrorCode",
    "Event",
    "FieldError",
    "Forbidden",
    "GroupCommit",
    "Job",
    "JobContext",
    "KernelCode",
    "Level",
    "Manifest",
    "MaskedContact",
    "NotFound",
    "Outcome",
    "PageCursor",
    "PageLimit",
    "PayloadTooLarge",
    "Person",
    "PersonalDetails",
    "PhotoImage",
    "PhotoUpload",
    "Picture",
    "PlatformKeys",
    "PreconditionFailed",
    "QrImage",
    "Quota",
    "ReadTogether",
    "Retention",
    "Role",
    "RowId",
    "Section",
    "ServiceDesk",
    "Services",
    "Settings",
    "SigningKey",
    "SmsMessage",
    "SmsOutcome",
    "SmsProvider",
    "SmsResult",
    "StartedApplication",
    "Storage",
    "Subscription",
    "SwitchedOn",
    "Template",
    "Tile",
    "TileSource",
    "TimePartitioned",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMediaType",
    "Vault",
    "WorkCalendar",
    "WorkingDays",
    "active_among",
    "age_of",
    "age_on",
    "all_or_nothing",
    "ancestors",
    "audit",
    "birth_date_of",
    "body_signature",
    "cancel",
    "check_character",
    "claims_of",
    "clean_picture",
    "count_against",
    "count_scan",
    "decode_cursor",
    "decode_position",
    "district_of",
    "emit",
    "encode_cursor",
    "encode_position",
    "every",
    "fetch_each",
    "fetch_rows",
    "fetch_where_in",
    "holders_above",
    "holders_at",
    "holders_of",
    "holders_within",
    "holding_role",
    "idempotent",
    "in_transaction",
    "insert_rows",
    "is_postgres",
    "is_valid",
    "is_within",
    "json_value",
    "level_of",
    "mask_id_card",
    "mask_name",
    "mask_phone",
    "masked_contact",
    "notify",
    "on_commit",
    "partition_by_month",
    "path_param",
    "people",
    "people_by_phone",
    "person",
    "person_by_phone",
    "personal_details",
    "photo_response",
    "picture_sent",
    "place_in_grid",
    "placeholders",
    "problems",
    "rate_limited",
    "register_messages",
    "render_qr",
    "render_qr_off_loop",
    "require_aware",
    "require_json",
    "require_unit",
    "requires_role",
    "requires_scope",
    "role_held",
    "run_with_database",
    "scopes_held",
    "side_by_side",
    "signed_recently",
    "strictly",
    "transaction",
    "unit_at",
    "unit_exists",
    "unit_of_work",
    "units_under",
    "utc_now",
    "work_calendar",
]
