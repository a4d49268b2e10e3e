"""What the routes of objections to a refused 法律援助申请 take and give."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from miniapps.legal_aid.schemas import SAYS_SOMETHING


class RefusalStatus(enum.StrEnum):
    REFUSED = "refused"  # the engine refused it; the applicant may object until `object_by`
    OBJECTED = "objected"  # the bureau is to review the objection by `review_due_at`
    UPHELD = "upheld"  # the bureau kept the refusal
    OVERTURNED = "overturned"  # the bureau ordered legal aid: a case is open


class ObjectionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=5, max_length=2000, pattern=SAYS_SOMETHING)]


class ObjectionReviewIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Uphold the refusal, saying why, or overturn it, which opens the case."""

    uphold: bool
    note: Annotated[str, msgspec.Meta(min_length=2, max_length=500, pattern=SAYS_SOMETHING)]


class RefusalView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    application_id: int
    ref: str
    applicant_id: int
    district: str
    status: RefusalStatus
    refused_at: dt.datetime
    object_by: dt.datetime
    objection: str | None
    objected_at: dt.datetime | None
    review_due_at: dt.datetime | None
    escalated: int
    reviewed_at: dt.datetime | None
    review_note: str | None


class RefusalList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[RefusalView]
