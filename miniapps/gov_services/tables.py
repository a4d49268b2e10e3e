"""The service engine's tables: the catalogue (items and their versions), applications with
their history and materials. Ratings, deadline notices and bundles keep their own tables
below, each with a docstring saying what one row is."""

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


class ServiceItem(Table, tablename="gov_services_item"):
    """A government service item (政务服务事项), as the catalogue names it; what a resident
    fills in and which steps it runs lives in its versions."""

    id = BigSerial(primary_key=True)
    code = Varchar(length=64, unique=True)  # 事项编码
    name = Varchar(length=200)
    dept = Varchar(length=64)  # the department that owns it: 公安, 民政 ...
    category = Varchar(length=64, index=True)
    keywords = Text(default="")  # space-separated, searched with the name
    created_by = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())


class ItemVersion(Table, tablename="gov_services_item_version"):
    """One version of an item's document: a draft until published, then never changed; an
    application pins the version it was started on."""

    id = BigSerial(primary_key=True)
    item_id = BigInt(index=True)
    version = Integer()
    status = Varchar(length=16)  # draft | published | retired
    document = JSON()
    sha256 = Varchar(length=64, default="")  # of the canonical document, set on publish
    valid_from = Timestamptz(null=True, default=None)
    valid_to = Timestamptz(null=True, default=None)
    created_by = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())
    published_by = BigInt(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    # Bumped by every edit of a draft: an edit is conditional on the version it read.
    revision = Integer(default=0)


class Application(Table, tablename="gov_services_application"):
    """A resident's application (办件) for one item version, from draft to delivery."""

    id = BigSerial(primary_key=True)
    ref_no = Varchar(length=32, unique=True)  # 办件编号, the number a resident quotes
    applicant_id = BigInt(index=True)
    item_id = BigInt()
    item_version_id = BigInt()
    bundle_id = BigInt(null=True, default=None, index=True)
    status = Varchar(length=16)
    current_step = Varchar(length=32, null=True, default=None)
    assignee_org = Varchar(length=200, default="")
    claimed_by = BigInt(null=True, default=None)
    # The applicant's home unit when they applied: each step goes to its ancestor at the
    # step's org level, or to the district's implementing org (实施机构).
    place_path = Varchar(length=200, default="")
    answers = JSON(default={})
    prefilled = JSON(default={})  # field → the licence reference it came from, read-only
    created_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)  # 受理: the clock starts the day after
    due_at = Timestamptz(null=True, default=None)  # overdue from this instant on
    due_provisional = Boolean(default=False)  # counted over a year not loaded yet
    wd_used = Integer(default=0)  # working days used before the current pause
    paused_at = Timestamptz(null=True, default=None)  # 补正: the clock stands still
    extended = Boolean(default=False)  # the one extension was granted
    decided_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)  # approved | rejected
    closed_at = Timestamptz(null=True, default=None)
    # Bumped by every change: each action is conditional on the version it read (If-Match).
    version = Integer(default=0)
    # For staff work. The worklist asks "cases at a step of my role, in my subtree, by due
    # date": the step's role is copied here from the pinned document (set with the step, by
    # `routing.entering`), and the district and street of `assignee_org` too (`cases.move`
    # keeps them), so that an index answers a district's or a street's cases in due order
    # without sorting them all.
    step_role = Varchar(length=32, default="")
    assignee_district = Varchar(length=200, default="")
    assignee_street = Varchar(length=200, default="")
    # When the clock last began to count: 受理, or the answer to the latest 补正; None
    # before acceptance and while paused. The due date is `wd_used` days short of the limit
    # counted from here, so it can be counted again when a year of the calendar loads.
    clock_from = Timestamptz(null=True, default=None)


class ApplicationStatus(Table, tablename="gov_services_status"):
    """One step of an application's history; append-only."""

    id = BigSerial(primary_key=True)
    application_id = BigInt(index=True)
    step = Varchar(length=32, null=True, default=None)
    action = Varchar(length=32)
    from_status = Varchar(length=16, null=True, default=None)
    to_status = Varchar(length=16)
    reason = Text(default="")
    detail = JSON(default={})
    set_by = BigInt()
    set_at = Timestamptz(default=TimestamptzNow())


class MaterialItem(Table, tablename="gov_services_material"):
    """One material of an application: an uploaded file, a licence (电子证照) by reference and
    hash, never a copy, or a signed commitment (告知承诺)."""

    id = BigSerial(primary_key=True)
    application_id = BigInt(index=True)
    material_code = Varchar(length=64)
    source = Varchar(length=16)  # upload | e_license | commitment
    file_key = Varchar(length=200, null=True, default=None)
    licence_ref = Varchar(length=200, null=True, default=None)
    sha256 = Varchar(length=64)
    mime = Varchar(length=100, default="")
    size = BigInt(default=0)
    consent_at = Timestamptz(null=True, default=None)
    # A commitment's statement (告知承诺书) as the resident read and signed it.
    statement = Text(null=True, default=None)
    added_by = BigInt()
    added_at = Timestamptz(default=TimestamptzNow())


class RefCounter(Table, tablename="gov_services_ref_counter"):
    """How many 办件编号 one day has issued: a submit takes the next one in its transaction,
    so two submits at once never share a number and a rolled-back one leaves no gap."""

    id = BigSerial(primary_key=True)
    day = Varchar(length=8, unique=True)  # YYYYMMDD, the Asia/Shanghai date
    issued = BigInt(default=0)


class ItemDistrict(Table, tablename="gov_services_item_district"):
    """A district a published version is offered in: one row per district its implementing
    orgs (实施机构) serve, or one row `*` for a version every district runs through its own
    offices. Written when the version is published, so that the catalogue filters by district
    without reading documents."""

    id = BigSerial(primary_key=True)
    version_id = BigInt()
    district = Varchar(length=200)


# ---- bundles (一件事) ----------------------------------------------------------------------


class BundleVersion(Table, tablename="gov_services_bundle_version"):
    """One version of a bundle (一件事): items a resident applies for together on one form,
    each starting once the members it depends on are done. A draft until published, then
    never changed; a resident's bundle application pins the version it was started on."""

    id = BigSerial(primary_key=True)
    code = Varchar(length=64)  # the bundle's code, the same in each of its versions
    name = Varchar(length=200)
    version = Integer()
    status = Varchar(length=16)  # draft | published | retired
    # [{item, depends_on: [item code ...]}]: the member items, by code (事项编码).
    members = JSON(default=[])
    # bundle form field → {member item code → that member's field}: given once, copied.
    shared = JSON(default={})
    promised_limit_wd = Integer(default=0)  # the bundle's own 承诺时限, from its first 受理
    sha256 = Varchar(length=64, default="")  # of the canonical definition, set on publish
    created_by = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())
    published_by = BigInt(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    # Bumped by every change of the row: an edit is conditional on the revision it read.
    revision = Integer(default=0)


class BundleApplication(Table, tablename="gov_services_bundle_application"):
    """A resident's application for a bundle: its members are applications (办件) whose
    `bundle_id` is this row's id. What the resident gave once for all of them is kept here,
    for the members that start later."""

    id = BigSerial(primary_key=True)
    bundle_version_id = BigInt()
    applicant_id = BigInt(index=True)
    shared = JSON(default={})  # the shared answers, as submitted
    # [{material_code, licence_type}]: licences a member of the bundle will issue, which
    # the resident agreed at submit to give to the members waiting for them.
    awaited_licences = JSON(default=[])
    consent_at = Timestamptz(null=True, default=None)  # to those and the licences given
    created_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    version = Integer(default=0)  # bumped by each change; submit is conditional on it


class IssuedLicence(Table, tablename="gov_services_issued_licence"):
    """A licence (电子证照) that an application's delivery issued to its applicant, as the
    demo city's licence library learns of it (a 出生医学证明 once its case is delivered):
    the demo's licence source serves it beside its fixtures."""

    id = BigSerial(primary_key=True)
    application_id = BigInt(unique=True)  # one licence per delivered case, whatever retries
    holder_id = BigInt(index=True)
    type = Varchar(length=64)  # 证照类型
    licence_ref = Varchar(length=200, unique=True)  # the reference sources know it by
    issued_by = Varchar(length=200)
    fields = JSON(default={})
    sha256 = Varchar(length=64)
    issued_at = Timestamptz(default=TimestamptzNow())


__all__ = [
    "Application",
    "ApplicationStatus",
    "BundleApplication",
    "BundleVersion",
    "IssuedLicence",
    "ItemDistrict",
    "ItemVersion",
    "MaterialItem",
    "RefCounter",
    "ServiceItem",
]
