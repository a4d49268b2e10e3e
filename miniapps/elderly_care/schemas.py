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


class FamilyElder(msgspec.Struct, frozen=True, kw_only=True):
    """An elder whose circle the caller is in."""

    elder_id: int
    name: str
    relation: str
    since: dt.datetime


class FamilyElderList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[FamilyElder]
