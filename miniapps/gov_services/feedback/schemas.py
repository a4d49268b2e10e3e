"""The shapes of 好差评 at the API: a rating, the rectification a bad one opens, an appeal
against a malicious one, and the public aggregates."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

Comment = Annotated[str, msgspec.Meta(max_length=500)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]

LEVEL_NAMES: dict[int, tuple[str, str]] = {
    5: ("非常满意", "very satisfied"),
    4: ("满意", "satisfied"),
    3: ("基本满意", "fairly satisfied"),
    2: ("不满意", "dissatisfied"),
    1: ("非常不满意", "very dissatisfied"),
}
LEVELS = range(1, 6)
# 不满意 and 非常不满意 are bad ratings (差评): each opens a rectification.
BAD_LEVELS = frozenset({1, 2})


class RateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    level: Annotated[
        int,
        msgspec.Meta(
            description="1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意; any other "
            "number is a 422."
        ),
    ]
    comment: Comment = ""


class RatingView(msgspec.Struct, frozen=True, kw_only=True):
    """A rating as its author sees it; `rectification_id` when it opened a rectification."""

    id: int
    application_id: int
    level: int
    comment: str
    rated_at: dt.datetime
    rectification_id: int | None


class RectificationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    VOIDED = "voided"  # its rating was set aside on appeal


class RectificationView(msgspec.Struct, frozen=True, kw_only=True):
    """A rectification (整改) as the handling org's staff see it: the rating's level and
    comment, what was replied and what the follow-up visit (回访) found."""

    id: int
    rating_id: int
    application_id: int
    org: str
    status: RectificationStatus
    level: int
    comment: str
    opened_at: dt.datetime
    due_date: dt.date
    due_provisional: bool
    reply: str | None
    replied_at: dt.datetime | None
    revisit_note: str | None
    revisit_satisfied: bool | None
    revisited_at: dt.datetime | None
    closed_at: dt.datetime | None


class RectificationPage(msgspec.Struct, frozen=True):
    """Rectifications, oldest (nearest their deadline) first."""

    items: list[RectificationView]
    next_cursor: str | None


class ReplyIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reply: Note


class RevisitIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=2000,
            pattern=r"\S",
            description="How and when the applicant was reached, and what they said.",
        ),
    ]
    satisfied: bool


class AppealStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the rating is set aside
    DISMISSED = "dismissed"


class AppealIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=2000,
            pattern=r"\S",
            description="Why the rating is malicious (恶意差评): what it says against the record.",
        ),
    ]


class DecisionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    uphold: bool
    note: Note


class AppealView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    rating_id: int
    org: str
    level: int
    comment: str
    reason: str
    requested_by: int
    requested_at: dt.datetime
    status: AppealStatus
    decision_note: str
    decided_by: int | None
    decided_at: dt.datetime | None


class AppealPage(msgspec.Struct, frozen=True):
    """Appeals, oldest first."""

    items: list[AppealView]
    next_cursor: str | None


class LevelCount(msgspec.Struct, frozen=True, kw_only=True):
    level: int
    name_zh: str
    name_en: str
    count: int


class RatingSummary(msgspec.Struct, frozen=True, kw_only=True):
    """How residents rated an item or an org's cases: counts per level, from 非常满意 down,
    and the satisfaction rate (满意率: 基本满意 or better, of all ratings; null before the
    first). Ratings set aside on appeal are not counted. Nothing names a person."""

    total: int
    levels: list[LevelCount]
    satisfaction_rate: float | None
