"""Elder profiles, family circles (亲情关联), and the alarms (SOS) raised for an elder."""

from piccolo.columns import (
    BigInt,
    BigSerial,
    Boolean,
    Date,
    DoublePrecision,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Elder(Table, tablename="elderly_care_elder"):
    """A resident in the city's elderly care, placed in the grid of their home: who may see
    them (their family circle, the care staff over that grid) follows from it."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    grid_path = Varchar(length=200, index=True)
    living_alone = Boolean(default=False)
    # Who enrolled them, and as what: `self`, or `staff` in the grid's chain.
    enrolled_by = BigInt()
    enrolled_as = Varchar(length=16)
    enrolled_at = Timestamptz(default=TimestamptzNow())
    # Set by care staff: who looks after the elder, and what they should know (sealed:
    # health and family circumstances, for care staff over the grid only).
    care_worker_id = BigInt(null=True, default=None)
    grid_worker_id = BigInt(null=True, default=None)
    risk_notes_sealed = Text(null=True, default=None)


class FamilyBinding(Table, tablename="elderly_care_family_binding"):
    """A family member's place in an elder's circle: asked for by the member, `accepted` by
    the elder or by staff on the elder's behalf (then with the reason), `declined`, or
    `removed` later. One binding per elder and member is open (pending or accepted) at a
    time; ended ones are kept, with who ended them."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(index=True)
    member_id = BigInt(index=True)
    relation = Varchar(length=20)
    status = Varchar(length=16)
    asked_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = BigInt(null=True, default=None)
    # Set when staff decided for the elder (代办): the reason they gave.
    on_behalf_reason = Varchar(length=200, null=True, default=None)
    # The member's place in the elder's ordered list of contacts (1 first); null for a
    # member who is not one.
    contact_rank = Integer(null=True, default=None)


class SosRules(Table, tablename="elderly_care_sos_rules"):
    """A community's timing of an alarm: how long the elder has to cancel, how long each
    person rung has before the next is, and how long after the last one it goes up the
    org tree. A community without a row uses the defaults."""

    id = BigSerial(primary_key=True)
    community_path = Varchar(length=200, unique=True)
    cancel_window_seconds = Integer()
    ring_gap_seconds = Integer()
    escalate_after_seconds = Integer()
    set_by = BigInt()
    set_at = Timestamptz(default=TimestamptzNow())


class Alarm(Table, tablename="elderly_care_alarm"):
    """One call for help (an SOS, or a home device's alert) and where it stands. Its `plan`
    is who is rung and when, fixed when it was raised; `next_step` is the plan's next
    entry and `next_step_at` when it is due, null once nobody more is to be rung."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(index=True)
    kind = Varchar(length=16)
    status = Varchar(length=16)
    grid_path = Varchar(length=200, index=True)
    raised_by = BigInt(null=True, default=None)
    raised_at = Timestamptz()
    notify_from = Timestamptz()
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    plan = Text()
    next_step = Integer(default=0)
    next_step_at = Timestamptz(null=True, default=None, index=True)
    acknowledged_by = BigInt(null=True, default=None)
    acknowledged_at = Timestamptz(null=True, default=None)
    arrived_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)


class AlarmEntry(Table, tablename="elderly_care_alarm_entry"):
    """A line of an alarm's timeline: raised, whom it rang, who acknowledged, arrived,
    cancelled or closed it."""

    id = BigSerial(primary_key=True)
    alarm_id = BigInt(index=True)
    at = Timestamptz()
    action = Varchar(length=16)
    actor_id = BigInt(null=True, default=None)
    # Whom a ring reached: a user, or the holders of a role over an org unit.
    whom = Varchar(length=240, null=True, default=None)
    note = Varchar(length=500, null=True, default=None)


class CheckinPlan(Table, tablename="elderly_care_checkin_plan"):
    """An elder's daily safety check-in (平安打卡): on the `days` it is due (a bit per ISO
    weekday, Monday the lowest), between `starts` and `ends` (minutes after local midnight,
    in the city's time); `grace_minutes` after `ends` a missed one starts its cascade, whose
    steps are `step_minutes` apart."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(unique=True)
    starts = Integer()
    ends = Integer()
    days = Integer()
    grace_minutes = Integer()
    step_minutes = Integer()
    set_by = BigInt()
    set_at = Timestamptz(default=TimestamptzNow())
    # The first local day it is kept to: a plan set after a day's window has closed does
    # not count that day as missed.
    effective_from = Date(null=True, default=None)


class CheckinDay(Table, tablename="elderly_care_checkin_day"):
    """An elder's check-in on one local day: when and by whom (the elder, or a member of
    their circle for them), and the alarm its miss raised. One row per elder and day,
    written by whichever comes first, the check-in or the sweep that found it missed."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt()
    day = Date()
    checked_in_at = Timestamptz(null=True, default=None)
    checked_in_by = BigInt(null=True, default=None)
    on_behalf = Boolean(default=False)
    missed_alarm_id = BigInt(null=True, default=None)


class Device(Table, tablename="elderly_care_device"):
    """A device in an elder's home that posts signed readings: a fall detector, a door
    sensor, a smoke alarm, a water or electricity meter. `open_alarm_id` is the alarm its
    last fall or smoke raised; `quiet_due_at` when its kind's quiet rule (no water use, no
    door opened) falls due, and `quiet_alarm_id` the alarm raised when it did, until use
    resumes; `silent_due_at` when a device that sent nothing is flagged to the care worker,
    and `silent_flagged_at` when it was."""

    id = BigSerial(primary_key=True)
    device = Varchar(length=64, unique=True)
    elder_id = BigInt(index=True)
    kind = Varchar(length=24)
    secret_sealed = Text()
    quiet_hours = Integer(null=True, default=None)
    enrolled_by = BigInt()
    enrolled_at = Timestamptz()
    last_seen_at = Timestamptz(null=True, default=None)
    last_activity_at = Timestamptz(null=True, default=None)
    open_alarm_id = BigInt(null=True, default=None)
    quiet_due_at = Timestamptz(null=True, default=None, index=True)
    quiet_alarm_id = BigInt(null=True, default=None)
    silent_due_at = Timestamptz(index=True)
    silent_flagged_at = Timestamptz(null=True, default=None)


class DeviceReading(Table, tablename="elderly_care_device_reading"):
    """A reading taken from a device, once per the device's own event id; `alarm_id` is
    the alarm it raised or joined."""

    id = BigSerial(primary_key=True)
    device_id = BigInt()
    event_id = Varchar(length=64)
    type = Varchar(length=16)
    value = DoublePrecision(null=True, default=None)
    read_at = Timestamptz()
    taken_at = Timestamptz()
    alarm_id = BigInt(null=True, default=None)


class CareService(Table, tablename="elderly_care_service"):
    """A home care service of a community's catalogue, given by a provider (a merchant)."""

    id = BigSerial(primary_key=True)
    community_path = Varchar(length=200, index=True)
    kind = Varchar(length=16)
    name = Varchar(length=40)
    provider_id = BigInt(index=True)
    price_fen = Integer()
    minutes = Integer()
    created_by = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())


class CareSlot(Table, tablename="elderly_care_slot"):
    """A time a service can be booked for, by up to `capacity` elders; `booked` counts the
    bookings that hold it."""

    id = BigSerial(primary_key=True)
    service_id = BigInt(index=True)
    starts_at = Timestamptz()
    capacity = Integer()
    booked = Integer(default=0)


class Booking(Table, tablename="elderly_care_booking"):
    """An elder's booking of a slot, by the elder or a member of their circle (on their
    behalf). Its price is paid first from the elder's allowance, the rest by the booker."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(index=True)
    service_id = BigInt(index=True)
    slot_id = BigInt(index=True)
    status = Varchar(length=16)
    booked_by = BigInt()
    on_behalf = Boolean(default=False)
    price_fen = Integer()
    subsidy_fen = Integer()
    charge_fen = Integer()
    payment = Varchar(length=16)
    pay_link = Varchar(length=200, null=True, default=None)
    subsidy_month = Varchar(length=7)
    booked_at = Timestamptz()
    stars = Integer(null=True, default=None)
    comment = Varchar(length=200, null=True, default=None)
    cancelled_by = BigInt(null=True, default=None)
    cancel_reason = Varchar(length=200, null=True, default=None)


class Subsidy(Table, tablename="elderly_care_subsidy"):
    """An elder's care allowance: `monthly_fen` each month; `balance_fen` is what is left
    of `month`'s (YYYY-MM). A new month starts afresh when it is first used or read."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(unique=True)
    monthly_fen = Integer()
    balance_fen = Integer()
    month = Varchar(length=7)
    set_by = BigInt()
    set_at = Timestamptz(default=TimestamptzNow())


class VisitPlan(Table, tablename="elderly_care_visit_plan"):
    """How often care staff visit an elder at home, and the least a visit should last."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(unique=True)
    every_days = Integer()
    min_minutes = Integer()
    set_by = BigInt()
    set_at = Timestamptz()


class Visit(Table, tablename="elderly_care_visit"):
    """A care worker's visit to an elder's home (上门探访): checked in and out where they
    stood, with notes; `minutes` once they have left."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(index=True)
    worker_id = BigInt(index=True)
    grid_path = Varchar(length=200, index=True)
    arrived_at = Timestamptz()
    arrived_latitude = DoublePrecision()
    arrived_longitude = DoublePrecision()
    left_at = Timestamptz(null=True, default=None)
    left_latitude = DoublePrecision(null=True, default=None)
    left_longitude = DoublePrecision(null=True, default=None)
    minutes = Integer(null=True, default=None)
    notes = Varchar(length=1000, null=True, default=None)


class VisitPhoto(Table, tablename="elderly_care_visit_photo"):
    """A photo the worker took on a visit, kept through the storage interface."""

    id = BigSerial(primary_key=True)
    visit_id = BigInt(index=True)
    storage_key = Varchar(length=100)
    content_type = Varchar(length=32)
    size = BigInt()
    uploaded_by = BigInt()
    at = Timestamptz()
