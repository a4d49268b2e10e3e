"""Tables, routes, the event handler, the badge and the cron of the book corner."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.params import FromPath, JSONBody
from piccolo.columns import BigInt, BigSerial, Integer, Timestamptz, Varchar
from piccolo.table import Table

from backend.sdk import (
    Claims,
    Conflict,
    Event,
    JobContext,
    Role,
    RowId,
    claims_of,
    emit,
    idempotent,
    problems,
    requires_role,
    unit_of_work,
)
from yimen_library.errors import LibraryCode


class Book(Table, tablename="library_book"):
    id = BigSerial(primary_key=True)
    title = Varchar(length=200)
    community = Varchar(length=200, index=True)
    copies = Integer(default=1)
    copies_out = Integer(default=0)
    times_borrowed = Integer(default=0)


class Loan(Table, tablename="library_loan"):
    id = BigSerial(primary_key=True)
    book = BigInt(index=True)
    user_id = BigInt(index=True)
    due_at = Timestamptz()
    status = Varchar(length=16, default="open")


class BookIn(msgspec.Struct, frozen=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    copies: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 1


class BookBorrowed(msgspec.Struct, frozen=True):
    book_id: int
    loan_id: int
    user_id: int


@get("/books", operation_id="ListLibraryBooks", guards=[requires_role(Role.RESIDENT)])
async def list_books() -> list[dict[str, Any]]:
    """Every book of the corner, with its copies and how many are out."""
    return await Book.select().order_by(Book.id)


@post("/books", operation_id="AddLibraryBook", guards=[requires_role(Role.COMMUNITY_ADMIN)])
async def add_book(request: Request[Any, Any, Any], data: JSONBody[BookIn]) -> dict[str, Any]:
    """Add a book to the corner of the admin's community."""
    community = claims_of(request).paths_for(Role.COMMUNITY_ADMIN)[0]
    rows = await Book.insert(Book(title=data.title, copies=data.copies, community=community))
    return {"id": rows[0]["id"]}


@post(
    "/books/{book_id:int}/borrow",
    operation_id="BorrowLibraryBook",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[idempotent],
    responses=problems({409: [LibraryCode.LIBRARY_NO_COPY]}),
)
async def borrow(request: Request[Any, Any, Any], book_id: FromPath[RowId]) -> dict[str, Any]:
    """Borrow a copy of a book for 30 days.

    Send an `Idempotency-Key` to borrow once however often the request is repeated."""
    user_id = claims_of(request).user_id
    async with unit_of_work():
        taken = (
            await Book.update({Book.copies_out: Book.copies_out + 1})
            .where((Book.id == book_id) & (Book.copies_out < Book.copies))
            .returning(Book.id)
        )
        if not taken:
            raise Conflict(LibraryCode.LIBRARY_NO_COPY)
        due = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        loan = await Loan.insert(Loan(book=book_id, user_id=user_id, due_at=due))
        await emit("library.book_borrowed", BookBorrowed(book_id, loan[0]["id"], user_id))
    return {"loan_id": loan[0]["id"], "due_at": due.isoformat()}


router = Router(path="/", route_handlers=[list_books, add_book, borrow])


async def tally_loan(event: Event, job: JobContext) -> None:
    """Count the loan on the book; the host runs this once per event."""
    await Book.update({Book.times_borrowed: Book.times_borrowed + 1}).where(
        Book.id == event.payload.book_id
    )


async def open_loans(claims: Claims) -> int:
    return int(await Loan.count().where((Loan.user_id == claims.user_id) & (Loan.status == "open")))


async def mark_overdue(job: JobContext) -> int:
    overdue = (
        await Loan.update({Loan.status: "overdue"})
        .where((Loan.status == "open") & (Loan.due_at < dt.datetime.now(dt.UTC)))
        .returning(Loan.id)
    )
    return len(overdue)
