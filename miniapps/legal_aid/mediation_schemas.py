"""What the routes of people's mediation (人民调解) take and give."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from backend.sdk import AwareDatetime
from miniapps.legal_aid.schemas import SAYS_SOMETHING, Speciality

Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500, pattern=SAYS_SOMETHING)]
SHA256 = r"^[0-9a-f]{64}$"


class MediationStatus(enum.StrEnum):
    INVITED = "invited"  # the other party is asked to take part
    DECLINED = "declined"  # they said no: closed
    LAPSED = "lapsed"  # they did not answer in time: closed
    ACCEPTED = "accepted"  # both take part; the committee is to assign a mediator
    ASSIGNED = "assigned"  # a mediator works on it: sessions, an agreement
    SETTLED = "settled"  # both parties confirmed the agreement
    FAILED = "failed"  # the mediator closed it without an agreement


class MediationIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    other_phone: Annotated[
        str,
        msgspec.Meta(
            pattern=r"^1[3-9][0-9]{9}$",
            max_length=11,
            examples=["13800138000"],
            description="The other party's mobile number: they are invited by push if they "
            "use the app, by text message if not.",
        ),
    ]
    other_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=SAYS_SOMETHING)]
    category: Speciality
    summary: Annotated[str, msgspec.Meta(min_length=10, max_length=2000, pattern=SAYS_SOMETHING)]


class MediationAnswerIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    accept: bool


class MediatorIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    mediator_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class RecusalIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A mediator declares a conflict of their own (no `mediator_id`, or their own), or a
    party asks a mediator to step aside (回避)."""

    mediator_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)] | None = None
    reason: Reason


class SessionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A meeting in the future, at most 180 days ahead."""

    starts_at: AwareDatetime
    place: Annotated[str, msgspec.Meta(min_length=2, max_length=200, pattern=SAYS_SOMETHING)]


class AgreementIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=10, max_length=10000, pattern=SAYS_SOMETHING)]


class AgreementConfirmIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text_hash: Annotated[
        str,
        msgspec.Meta(
            pattern=SHA256,
            description="The `text_hash` of the agreement as the party read it: a text changed "
            "since is not confirmed by mistake.",
        ),
    ]


class FailureIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    starts_at: dt.datetime
    place: str


class AgreementView(msgspec.Struct, frozen=True, kw_only=True):
    """The agreement as it reads now. `text_hash` is the SHA-256 of that text; once both
    parties confirmed, `recorded_hash` is the hash of what they confirmed, and `intact`
    says whether the text still matches it (a text gone since is null, and not intact)."""

    text: str | None
    text_hash: str | None
    applicant_confirmed: bool
    other_confirmed: bool
    recorded_hash: str | None
    intact: bool | None


class MediationView(msgspec.Struct, frozen=True, kw_only=True):
    """A mediation as one of its parties, its mediator or its committee sees it. The other
    party's phone is never shown; `role` says how the caller takes part."""

    id: int
    role: Annotated[str, msgspec.Meta(description="applicant, other_party, mediator or committee")]
    category: Speciality
    summary: str
    status: MediationStatus
    other_name: str
    community: str
    applied_at: dt.datetime
    answer_due_at: dt.datetime
    mediator_id: int | None
    mediator_name: str | None
    failure_reason: str | None
    court_due_at: Annotated[
        dt.datetime | None,
        msgspec.Meta(
            description="By when a court may be asked to confirm the agreement (司法确认)."
        ),
    ]
    sessions: list[SessionView] = []
    agreement: AgreementView | None = None


class MediationList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[MediationView]
