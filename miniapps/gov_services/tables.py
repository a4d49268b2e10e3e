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


class ItemDistrict(Table, tablename="gov_services_item_district"):
    """A district a published version is offered in: one row per district its implementing
    orgs (实施机构) serve, or one row `*` for a version every district runs through its own
    offices. Written when the version is published, so that the catalogue filters by district
    without reading documents."""

    id = BigSerial(primary_key=True)
    version_id = BigInt()
    district = Varchar(length=200)


# ---- the deadline watch ---------------------------------------------------------------------


class DeadlineNotice(Table, tablename="gov_services_deadline_notice"):
    """A case the deadline watch found due soon (two working days or fewer left) or overdue,
    its org told. One row per application and threshold (a unique index), written in the
    notice's transaction: however often the watch runs, and on however many workers, an
    org hears of each threshold of a case once."""

    id = BigSerial(primary_key=True)
    application_id = BigInt()
    threshold = Varchar(length=16)  # due_soon | overdue
    org = Varchar(length=200)  # the assignee org that was told
    due_at = Timestamptz()  # the deadline as it stood when the threshold was crossed
    noticed_at = Timestamptz(default=TimestamptzNow())


class Escalation(Table, tablename="gov_services_escalation"):
    """An overdue case taken to the org above its handler for supervision (督办). One row per
    application and level (a unique index): a case handed on to another org while overdue
    is escalated again, above that org."""

    id = BigSerial(primary_key=True)
    application_id = BigInt()
    level = Varchar(length=200)  # the org it was taken to
    from_org = Varchar(length=200)  # the assignee org that let it run over
    due_at = Timestamptz()
    escalated_at = Timestamptz(default=TimestamptzNow())


# ---- 好差评: ratings, rectifications and appeals ----------------------------------------------


class Rating(Table, tablename="gov_services_rating"):
    """A resident's rating (好差评) of a closed application; one per application (一事一评)."""

    id = BigSerial(primary_key=True)
    application_id = BigInt(unique=True)
    applicant_id = BigInt()
    item_id = BigInt(index=True)
    org = Varchar(length=200, index=True)  # the org that handled the case when it closed
    level = Integer()  # 1 非常不满意 … 5 非常满意
    comment = Text(default="")
    rated_at = Timestamptz(default=TimestamptzNow())
    # An upheld appeal (申诉复核) takes a malicious rating out of every aggregate.
    excluded = Boolean(default=False)


class Rectification(Table, tablename="gov_services_rectification"):
    """What a 不满意 or 非常不满意 rating obliges the handling org to do (整改), due in 15
    working days. It closes only once it has a reply and a follow-up visit (回访) record."""

    id = BigSerial(primary_key=True)
    rating_id = BigInt(unique=True)
    application_id = BigInt()
    org = Varchar(length=200, index=True)
    status = Varchar(length=16)  # open | closed | voided (its rating was set aside on appeal)
    opened_at = Timestamptz(default=TimestamptzNow())
    due_at = Timestamptz()
    due_provisional = Boolean(default=False)
    reply = Text(null=True, default=None)
    replied_by = BigInt(null=True, default=None)
    replied_at = Timestamptz(null=True, default=None)
    revisit_note = Text(null=True, default=None)
    revisit_satisfied = Boolean(null=True, default=None)  # the resident's word at the 回访
    revisited_by = BigInt(null=True, default=None)
    revisited_at = Timestamptz(null=True, default=None)
    closed_by = BigInt(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class RatingAppeal(Table, tablename="gov_services_rating_appeal"):
    """Staff of the handling org asking that a rating they hold malicious be set aside
    (申诉复核); one per rating, decided by a service approver other than the one asking."""

    id = BigSerial(primary_key=True)
    rating_id = BigInt(unique=True)
    org = Varchar(length=200, index=True)
    reason = Text()
    requested_by = BigInt()
    requested_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=16)  # pending | upheld | dismissed
    decision_note = Text(default="")
    decided_by = BigInt(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)


class RefCounter(Table, tablename="gov_services_ref_counter"):
    """How many 办件编号 one day has issued: a submit takes the next one in its transaction,
    so two submits at once never share a number and a rolled-back one leaves no gap."""

    id = BigSerial(primary_key=True)
    day = Varchar(length=8, unique=True)  # YYYYMMDD, the Asia/Shanghai date
    issued = BigInt(default=0)


__all__ = [
    "Application",
    "ApplicationStatus",
    "DeadlineNotice",
    "Escalation",
    "ItemDistrict",
    "ItemVersion",
    "MaterialItem",
    "Rating",
    "RatingAppeal",
    "Rectification",
    "RefCounter",
    "ServiceItem",
]
