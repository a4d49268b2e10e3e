"""What legal services keep: the stations and their lawyers, who is on duty when, and the
consultations with their threads."""

from __future__ import annotations

from piccolo.columns import BigInt, BigSerial, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Station(Table, tablename="legal_aid_station"):
    """A legal-aid centre (法律援助中心), a legal-service station (法律服务站) or a law firm,
    in an org unit; its head supervises its lawyers' consultations."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=100)
    kind = Varchar(length=16)
    org_path = Varchar(length=200, index=True)
    district = Varchar(length=200, index=True)
    head_id = BigInt(null=True, default=None)
    created_by = BigInt()
    created_at = Timestamptz()


class Lawyer(Table, tablename="legal_aid_lawyer"):
    """A lawyer listed at a station, with their specialities (comma-joined codes) and how
    many consultations they hold open: the load routing spreads."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    station_id = BigInt(index=True)
    district = Varchar(length=200, index=True)
    specialities = Varchar(length=200)
    open_count = Integer(default=0)
    listed_by = BigInt()
    listed_at = Timestamptz()


class Shift(Table, tablename="legal_aid_shift"):
    """A lawyer on duty for consultations (值班) from `starts_at` until `ends_at`."""

    id = BigSerial(primary_key=True)
    lawyer_id = BigInt(index=True)
    district = Varchar(length=200, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz(index=True)
    set_by = BigInt()


class Consultation(Table, tablename="legal_aid_consultation"):
    """A resident's question (法律咨询), routed to an on-duty lawyer of their district or,
    with none on duty, to the pool of the district's legal-aid centre. `answer_due_at` is
    when, in working hours, it escalates unanswered: once to the station's head, then to
    the district."""

    id = BigSerial(primary_key=True)
    asker_id = BigInt(index=True)
    district = Varchar(length=200, index=True)
    category = Varchar(length=32)
    question = Text()
    station_id = BigInt(null=True, default=None, index=True)
    lawyer_id = BigInt(null=True, default=None, index=True)
    status = Varchar(length=16)
    asked_at = Timestamptz()
    answer_due_at = Timestamptz(index=True)
    answered_at = Timestamptz(null=True, default=None)
    escalated = Integer(default=0)
    rating = Integer(null=True, default=None)
    rating_comment = Varchar(length=500, null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class ConsultMessage(Table, tablename="legal_aid_message"):
    """One message of a consultation's thread, by the one who asked or the lawyer."""

    id = BigSerial(primary_key=True)
    consultation_id = BigInt(index=True)
    author_id = BigInt()
    by_lawyer = Boolean()
    text = Text()
    at = Timestamptz()


class Attachment(Table, tablename="legal_aid_attachment"):
    """A photo the asker sent with their question (a contract, a payslip), kept through the
    storage interface."""

    id = BigSerial(primary_key=True)
    consultation_id = BigInt(index=True)
    storage_key = Varchar(length=100)
    content_type = Varchar(length=32)
    size = BigInt()
    uploaded_by = BigInt()
    at = Timestamptz()


class Mediation(Table, tablename="legal_aid_mediation"):
    """A people's mediation (人民调解) of a dispute between the resident who applied and the
    other party they named by phone, before the mediation committee of the applicant's
    community. The other party is known by their phone (sealed, and a keyed lookup) until
    they are found to have an account. The agreement's hash is recorded once both parties
    confirmed it, so a later change to its text shows."""

    id = BigSerial(primary_key=True)
    applicant_id = BigInt(index=True)
    other_id = BigInt(null=True, default=None, index=True)
    other_phone_sealed = Text()
    other_phone_lookup = Varchar(length=64, index=True)
    other_name = Varchar(length=100)
    community = Varchar(length=200, index=True)
    district = Varchar(length=200, index=True)
    category = Varchar(length=32)
    summary = Text()
    status = Varchar(length=16, index=True)
    invited_by = Varchar(length=8)  # push or sms
    invite_outcome = Varchar(length=32, null=True, default=None)
    applied_at = Timestamptz()
    answer_due_at = Timestamptz(index=True)
    answered_at = Timestamptz(null=True, default=None)
    mediator_id = BigInt(null=True, default=None, index=True)
    assigned_at = Timestamptz(null=True, default=None)
    agreement = Text(null=True, default=None)
    agreement_hash = Varchar(length=64, null=True, default=None)
    applicant_confirmed = Varchar(length=64, null=True, default=None)  # the hash they confirmed
    other_confirmed = Varchar(length=64, null=True, default=None)
    failure_reason = Varchar(length=500, null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    court_due_at = Timestamptz(null=True, default=None, index=True)  # 司法确认 within 30 days
    court_reminded = Boolean(default=False)


class MediationRecusal(Table, tablename="legal_aid_recusal"):
    """A mediator who may not mediate a dispute (回避): they declared a conflict, or a party
    asked them to step aside."""

    id = BigSerial(primary_key=True)
    mediation_id = BigInt(index=True)
    mediator_id = BigInt()
    asked_by = BigInt()
    reason = Varchar(length=500)
    at = Timestamptz()


class MediationSession(Table, tablename="legal_aid_session"):
    """A meeting of both parties with their mediator; both are reminded the day before."""

    id = BigSerial(primary_key=True)
    mediation_id = BigInt(index=True)
    starts_at = Timestamptz(index=True)
    place = Varchar(length=200)
    reminded = Boolean(default=False)
    scheduled_by = BigInt()


class AidCase(Table, tablename="legal_aid_case"):
    """A legal-aid case (法律援助案件), opened once when the service engine grants a 法律援助申请:
    the district's centre assigns a lawyer within 3 working days (`assign_due_at`), the
    lawyer works it and files a close-out the centre reviews, and the applicant rates."""

    id = BigSerial(primary_key=True)
    application_id = BigInt(unique=True)
    ref_no = Varchar(length=32)  # the application's 办件编号
    applicant_id = BigInt(index=True)
    district = Varchar(length=200, index=True)
    status = Varchar(length=16, index=True)
    granted_at = Timestamptz()
    assign_due_at = Timestamptz(index=True)
    escalated = Integer(default=0)
    lawyer_id = BigInt(null=True, default=None, index=True)
    assigned_at = Timestamptz(null=True, default=None)
    result = Varchar(length=16, null=True, default=None)
    summary = Text(null=True, default=None)
    documents = Text(null=True, default=None)  # one title a line
    filed_at = Timestamptz(null=True, default=None)
    review_note = Varchar(length=500, null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    rating = Integer(null=True, default=None)
    rating_comment = Varchar(length=500, null=True, default=None)


class AidConflict(Table, tablename="legal_aid_conflict"):
    """A lawyer who may not take a case: they represent the other party, or declared a
    conflict of interest."""

    id = BigSerial(primary_key=True)
    case_id = BigInt(index=True)
    lawyer_id = BigInt()  # the lawyer's user id
    reason = Varchar(length=500)
    recorded_by = BigInt()
    at = Timestamptz()


class AidNote(Table, tablename="legal_aid_case_note"):
    """A progress note by the case's lawyer."""

    id = BigSerial(primary_key=True)
    case_id = BigInt(index=True)
    author_id = BigInt()
    text = Text()
    at = Timestamptz()


class AidHearing(Table, tablename="legal_aid_hearing"):
    """A hearing of the case; the applicant is told at once and reminded the day before."""

    id = BigSerial(primary_key=True)
    case_id = BigInt(index=True)
    starts_at = Timestamptz(index=True)
    court = Varchar(length=200)
    reminded = Boolean(default=False)


class AidRefusal(Table, tablename="legal_aid_refusal"):
    """A 法律援助申请 the service engine refused, which its applicant may object to within
    `object_by`; the district's justice bureau reviews an objection by `review_due_at`
    and upholds the refusal or overturns it, which opens the case (法律援助法 Art. 49)."""

    id = BigSerial(primary_key=True)
    application_id = BigInt(unique=True)
    ref_no = Varchar(length=32)
    applicant_id = BigInt(index=True)
    district = Varchar(length=200, index=True)
    status = Varchar(length=16, index=True)
    refused_at = Timestamptz()
    object_by = Timestamptz()
    objection = Text(null=True, default=None)
    objected_at = Timestamptz(null=True, default=None)
    review_due_at = Timestamptz(null=True, default=None, index=True)
    escalated = Integer(default=0)
    reviewed_by = BigInt(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    review_note = Varchar(length=500, null=True, default=None)
