"""What the routes of legal-aid cases (法律援助案件) take and give."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from backend.sdk import AwareDatetime
from miniapps.legal_aid.schemas import SAYS_SOMETHING

Said = Annotated[str, msgspec.Meta(min_length=2, max_length=500, pattern=SAYS_SOMETHING)]
# A title on one line, saying something: the titles are kept a line each.
ONE_LINE = r"^[^\r\n]*\S[^\r\n]*$"
UserId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class CaseStatus(enum.StrEnum):
    AWAITING_LAWYER = "awaiting_lawyer"  # granted; the centre is to assign a lawyer
    ASSIGNED = "assigned"  # a lawyer works it
    REVIEWING = "reviewing"  # the lawyer filed the close-out; the centre reviews it
    CLOSED = "closed"  # the centre accepted the close-out


class CaseResult(enum.StrEnum):
    WON = "won"  # 胜诉
    SETTLED = "settled"  # 调解或和解结案
    LOST = "lost"  # 败诉
    ENDED = "ended"  # 终止援助


class AssignIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A lawyer by their user id; none: the on-duty lawyer of the district with the fewest
    open cases who has no conflict."""

    lawyer_id: UserId | None = None


class ConflictIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A lawyer who may not take the case: recorded by the centre (for instance one who
    represents the other party), or declared by the case's lawyer of themselves (no id)."""

    lawyer_id: UserId | None = None
    reason: Said


class CaseNoteIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=2, max_length=2000, pattern=SAYS_SOMETHING)]


class HearingIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A hearing in the future, within a year."""

    starts_at: AwareDatetime
    court: Annotated[str, msgspec.Meta(min_length=2, max_length=200, pattern=SAYS_SOMETHING)]


class CloseOutIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    result: CaseResult
    summary: Annotated[str, msgspec.Meta(min_length=10, max_length=5000, pattern=SAYS_SOMETHING)]
    documents: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=ONE_LINE)]],
        msgspec.Meta(
            max_length=30, description="The titles of the case's documents (判决书, 调解书...)."
        ),
    ] = []


class ReviewIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The centre accepts the close-out, which closes the case, or sends it back."""

    accept: bool
    note: Said | None = None


class CaseRatingIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    stars: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class CaseNoteView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    text: str
    at: dt.datetime


class HearingView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    starts_at: dt.datetime
    court: str


class AidCaseView(msgspec.Struct, frozen=True, kw_only=True):
    """A case. `escalated` is 1 once the district was told no lawyer was assigned in time.
    A list leaves out its notes and hearings: read the one case."""

    id: int
    application_id: int
    ref: str
    applicant_id: int
    district: str
    status: CaseStatus
    granted_at: dt.datetime
    assign_due_at: dt.datetime
    escalated: int
    lawyer_id: int | None
    lawyer_name: str | None
    assigned_at: dt.datetime | None
    result: CaseResult | None
    summary: str | None
    documents: list[str]
    review_note: str | None
    closed_at: dt.datetime | None
    rating: int | None
    notes: list[CaseNoteView] = []
    hearings: list[HearingView] = []


class AidCaseList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AidCaseView]
