"""What elderly care's routes take and give."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from backend.sdk import BodyRowId

Relation = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=20,
        pattern=r"\S",
        description="What the member is to the elder, in their words: 女儿, 儿子, 侄子.",
    ),
]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]


class EnrolledAs(enum.StrEnum):
    SELF = "self"
    FAMILY = "family"  # by a family member, who asked to join the elder's circle
    STAFF = "staff"


class BindingStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REMOVED = "removed"


OPEN = (BindingStatus.PENDING, BindingStatus.ACCEPTED)


class ElderEnrolIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whom to enrol: the caller, when `user_id` is left out; another resident, by care
    staff over the resident's home grid."""

    user_id: BodyRowId | None = None
    living_alone: bool = False


class FamilyEnrolIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A family member enrols their elder by the elder's phone, asking to join their circle."""

    phone: Annotated[
        str, msgspec.Meta(pattern=r"^1[3-9][0-9]{9}$", max_length=11, examples=["13800138000"])
    ]
    relation: Relation
    living_alone: bool = False


INVITE_PATTERN = r"^[1-9][0-9]{0,18}-[0-9a-f]{24}$"


class FamilyAskIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An ask to join an elder's circle, with the invite their circle shared."""

    invite: Annotated[str, msgspec.Meta(pattern=INVITE_PATTERN)]
    relation: Relation


class InviteView(msgspec.Struct, frozen=True, kw_only=True):
    """What family scan or type to ask to join the elder's circle."""

    invite: str


class FamilyDecisionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A decision on a family binding. Staff deciding for the elder (代办) give the reason,
    which is kept with it; the elder and the member themselves need none."""

    reason: Reason | None = None


class CareIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What care staff keep of an elder: whether they live alone, who looks after them (a
    care worker and a grid worker over the elder's grid), and notes for care staff only."""

    living_alone: bool
    care_worker_id: BodyRowId | None = None
    grid_worker_id: BodyRowId | None = None
    risk_notes: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


class Worker(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str


class FamilyBindingView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    elder_id: int
    member_id: int
    member_name: str
    relation: str
    status: BindingStatus
    asked_at: dt.datetime
    decided_at: dt.datetime | None
    # Whether staff decided for the elder (代办), and why.
    on_behalf: bool
    on_behalf_reason: str | None


class ElderView(msgspec.Struct, frozen=True, kw_only=True):
    """An elder's profile. The circle (every binding, open and ended) is shown to the
    elder and to care staff; a family member sees the accepted members only. The risk
    notes are care staff's alone."""

    id: int
    user_id: int
    name: str
    grid_path: str
    living_alone: bool
    enrolled_as: EnrolledAs
    enrolled_at: dt.datetime
    care_worker: Worker | None
    grid_worker: Worker | None
    # For care staff over the elder's grid only; null for everyone else.
    risk_notes: str | None
    family: list[FamilyBindingView]


class ElderRow(msgspec.Struct, frozen=True, kw_only=True):
    """An elder as care staff list them: who looks after them and what needs them now."""

    id: int
    name: str
    grid_path: str
    living_alone: bool
    care_worker: Worker | None
    grid_worker: Worker | None
    open_alarms: int


class ElderRoster(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ElderRow]
    next_cursor: str | None


class FamilyElder(msgspec.Struct, frozen=True, kw_only=True):
    """An elder whose circle the caller is in."""

    elder_id: int
    name: str
    relation: str
    since: dt.datetime


class FamilyElderList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[FamilyElder]


class ContactsIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The elder's contacts, first to be rung first: accepted members of their circle."""

    member_ids: Annotated[list[BodyRowId], msgspec.Meta(max_length=10)]


class ContactView(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    member_id: int
    name: str
    relation: str


class ContactList(msgspec.Struct, frozen=True, kw_only=True):
    """Whom an alarm rings first, in order; with none chosen, the accepted circle in the
    order it joined."""

    items: list[ContactView]
    chosen: bool


# `(?!\n)`: a pattern's `$` also passes a trailing newline.
ORG_PATH = r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}(?!\n)$"
OrgPath = Annotated[
    str,
    msgspec.Meta(
        max_length=200,
        pattern=ORG_PATH,
        description="An org unit's path: zz/gx/fengyang/c03.",
    ),
]


class SosRulesIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A community's alarm timing: the elder's seconds to cancel, each person's seconds to
    answer before the next is rung, and the seconds after the community's service centre
    before it goes up the org tree."""

    community: OrgPath
    cancel_window_seconds: Annotated[int, msgspec.Meta(ge=0, le=30)]
    ring_gap_seconds: Annotated[int, msgspec.Meta(ge=10, le=600)]
    escalate_after_seconds: Annotated[int, msgspec.Meta(ge=60, le=3600)]


class SosRulesView(msgspec.Struct, frozen=True, kw_only=True):
    community: str
    cancel_window_seconds: int
    ring_gap_seconds: int
    escalate_after_seconds: int
    # False while the community keeps the platform's defaults.
    chosen: bool


class AlarmKind(enum.StrEnum):
    SOS = "sos"
    DEVICE = "device"
    CHECKIN = "checkin"  # a daily check-in missed


class AlarmStatus(enum.StrEnum):
    RAISED = "raised"  # ringing, or about to once the cancel window closes
    ACKNOWLEDGED = "acknowledged"  # someone answered: help is coming
    ARRIVED = "arrived"
    CANCELLED = "cancelled"  # by the elder, before anyone answered
    CLOSED = "closed"


OPEN_ALARM = (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED, AlarmStatus.ARRIVED)


class AlarmOutcome(enum.StrEnum):
    HELPED = "helped"
    HOSPITAL = "hospital"
    FALSE_ALARM = "false_alarm"
    OTHER = "other"
    CHECKED_IN = "checked_in"  # a missed check-in's alarm, ended by the check-in
    ACTIVITY_RESUMED = "activity_resumed"  # a quiet home's alarm, ended by signs of life


class RingStage(enum.StrEnum):
    """Whom a ring of the plan is for."""

    REMINDER = "reminder"  # the elder themselves, reminded to check in
    CONTACT = "contact"
    GRID_WORKER = "grid_worker"
    GRID_EVENT = "grid_event"  # an event in the elder's grid, for its worker
    CENTRE = "centre"  # the community's service centre: its admins
    ESCALATION = "escalation"  # up the org tree


class AlarmAction(enum.StrEnum):
    RAISED = "raised"
    RANG = "rang"
    SKIPPED = "skipped"  # a ring whose person left the elder's circle after it was raised
    READING = "reading"  # a device alarmed again while its alarm was open
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class SosIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the elder is, if the phone knows: both coordinates or neither."""

    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class CloseOutcome(enum.StrEnum):
    """What a helper closes an alarm with; `checked_in` is the check-in's own."""

    HELPED = "helped"
    HOSPITAL = "hospital"
    FALSE_ALARM = "false_alarm"
    OTHER = "other"


class AlarmCloseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    outcome: CloseOutcome
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class AlarmEntryView(msgspec.Struct, frozen=True, kw_only=True):
    at: dt.datetime
    action: AlarmAction
    actor: Worker | None
    # Whom a ring reached: `user:<id>`, or `<role>@<org path>` for a role's holders there.
    whom: str | None
    note: str | None


class AlarmView(msgspec.Struct, frozen=True, kw_only=True):
    """An alarm and its timeline. Ringing starts at `notify_from`, when the cancel window
    closes."""

    id: int
    elder_id: int
    elder_name: str
    kind: AlarmKind
    status: AlarmStatus
    raised_at: dt.datetime
    notify_from: dt.datetime
    latitude: float | None
    longitude: float | None
    acknowledged_by: Worker | None
    acknowledged_at: dt.datetime | None
    arrived_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: AlarmOutcome | None
    timeline: list[AlarmEntryView]


class AlarmSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: AlarmKind
    status: AlarmStatus
    raised_at: dt.datetime
    outcome: AlarmOutcome | None


class AlarmPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AlarmSummary]
    next_cursor: str | None


Clock = Annotated[
    str,
    msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="Local time, HH:MM."),
]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7, description="ISO weekday: 1 is Monday.")]


class CheckinPlanIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """When the elder checks in: a window on the days given, in the city's time. A missed
    one, `grace_minutes` after the window, reminds the elder, then rings the contacts in
    order and then the grid worker, `step_minutes` apart."""

    starts: Clock
    ends: Clock
    days: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    grace_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] = 30
    step_minutes: Annotated[int, msgspec.Meta(ge=5, le=240)] = 30


class CheckinPlanView(msgspec.Struct, frozen=True, kw_only=True):
    elder_id: int
    starts: str
    ends: str
    days: list[int]
    grace_minutes: int
    step_minutes: int


class CheckinView(msgspec.Struct, frozen=True, kw_only=True):
    """One local day of check-ins: when and by whom, or missed."""

    day: dt.date
    checked_in_at: dt.datetime | None
    checked_in_by: Worker | None
    # A member of the circle checked in for the elder (代办), having called them.
    on_behalf: bool
    missed_alarm_id: int | None


class CheckinHistory(msgspec.Struct, frozen=True, kw_only=True):
    """The elder's check-in days, newest first, and how many days in a row they checked in
    up to today (or yesterday, while today's window is still open)."""

    streak: int
    items: list[CheckinView]
    next_cursor: str | None
