"""What the book corner's routes read and answer, and the event it emits."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]


class LoanStatus(enum.StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"  # still out past its due time; set by the `mark_overdue` cron
    RETURNED = "returned"


class BookIn(msgspec.Struct, frozen=True, kw_only=True):
    title: Title
    community: Annotated[str, msgspec.Meta(max_length=200, examples=["zz/gx/fengyang/c03"])]
    copies: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 1


class BookView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    community: str
    copies: int
    available: int  # copies on the shelf now


class BookPage(msgspec.Struct, frozen=True):
    items: list[BookView]
    next_cursor: str | None


class LoanView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    book_id: int
    title: str
    status: LoanStatus
    due_at: dt.datetime
    returned_at: dt.datetime | None


class LoanPage(msgspec.Struct, frozen=True):
    items: list[LoanView]
    next_cursor: str | None


class BookBorrowed(msgspec.Struct, frozen=True):
    book_id: int
    loan_id: int
    user_id: int
