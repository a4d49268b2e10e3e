"""What the book corner does: shelves per community, loans within a limit, returns; and what
the host calls on its own: the event handler, the badge and the cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    Event,
    Forbidden,
    JobContext,
    KernelCode,
    Level,
    NotFound,
    Role,
    ancestors,
    decode_cursor,
    emit,
    encode_cursor,
    level_of,
    require_unit,
    transaction,
    unit_of_work,
    utc_now,
)
from yimen_library.errors import LibraryCode
from yimen_library.schemas import (
    BookBorrowed,
    BookIn,
    BookPage,
    BookView,
    LoanPage,
    LoanStatus,
    LoanView,
)
from yimen_library.tables import Book, Loan, Reader

LOAN_LIMIT = 3  # books one person may have out at once (the message of LIBRARY_LOAN_LIMIT)
LOAN_TIME = dt.timedelta(days=30)
STILL_OUT = [LoanStatus.OPEN, LoanStatus.OVERDUE]


def home_community(claims: Claims) -> str | None:
    """The community the caller lives in; a home placed above any community has none."""
    for home in claims.paths_for(Role.RESIDENT):
        for path in ancestors(home):
            if level_of(path) is Level.COMMUNITY:
                return path
    return None


def shelves_of(claims: Claims) -> list[str]:
    """The communities whose books the caller sees: where they live, and those they run."""
    home = home_community(claims)
    return sorted({*([home] if home else []), *claims.paths_for(Role.COMMUNITY_ADMIN)})


async def add_book(*, actor: Claims, data: BookIn) -> BookView:
    """Put a book on the shelf of a community the admin holds."""
    await require_unit(data.community, Level.COMMUNITY, field="community")
    if not actor.covers(data.community, Role.COMMUNITY_ADMIN):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    rows = await Book.insert(
        Book(title=data.title, community=data.community, copies=data.copies)
    ).returning(Book.id)
    return BookView(
        id=rows[0]["id"],
        title=data.title,
        community=data.community,
        copies=data.copies,
        available=data.copies,
    )


async def list_books(*, actor: Claims, cursor: str | None, limit: int) -> BookPage:
    """The caller's shelves, newest book first; the next page starts below the cursor's id,
    so a book added meanwhile neither repeats nor hides one."""
    where: Any = Book.community.is_in(shelves_of(actor) or [""])
    if cursor:
        where &= Book.id < decode_cursor(cursor)
    rows = await Book.select().where(where).order_by(Book.id, ascending=False).limit(limit + 1)
    items = [_book_view(row) for row in rows[:limit]]
    more = len(rows) > limit
    return BookPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def borrow(*, actor: Claims, book_id: int) -> LoanView:
    """Lend a book of the caller's own community, within the person's limit. Any other book
    is a 404, as if missing: whether it exists elsewhere is not the caller's to know."""
    user_id = actor.user_id
    async with unit_of_work():
        book = (
            await Book.select(Book.title)
            .where((Book.id == book_id) & (Book.community == (home_community(actor) or "")))
            .first()
        )
        if book is None:
            raise NotFound(LibraryCode.LIBRARY_BOOK_NOT_FOUND)
        # The reader's row before the book's, as a return takes them, so that a borrow and
        # a return never each wait for the other's row. A refusal rolls back what was taken.
        await _take_a_place(user_id)
        await _take_a_copy(book_id)
        loan = Loan(book=book_id, user_id=user_id, due_at=utc_now() + LOAN_TIME)
        rows = await Loan.insert(loan).returning(Loan.id)
        await emit("library.book_borrowed", BookBorrowed(book_id, rows[0]["id"], user_id))
    return LoanView(
        id=rows[0]["id"],
        book_id=book_id,
        title=book["title"],
        status=LoanStatus.OPEN,
        due_at=loan.due_at,
        returned_at=None,
    )


async def _take_a_place(user_id: int) -> None:
    """Count one more book out for the person, or refuse at the limit. A conditional update,
    not a read then a write: of two borrows at once, the second waits for the first's row
    and checks the count the first left (PostgreSQL re-reads it; SQLite runs one writer at
    a time), so racing requests never pass the limit."""
    await Reader.insert(Reader(user_id=user_id)).on_conflict(
        target=Reader.user_id, action="DO NOTHING"
    )
    counted = (
        await Reader.update({Reader.books_out: Reader.books_out + 1})
        .where((Reader.user_id == user_id) & (Reader.books_out < LOAN_LIMIT))
        .returning(Reader.id)
    )
    if not counted:
        raise Conflict(LibraryCode.LIBRARY_LOAN_LIMIT)


async def _take_a_copy(book_id: int) -> None:
    """Take a copy off the shelf, or refuse when none is left; conditional, as above."""
    taken = (
        await Book.update({Book.copies_out: Book.copies_out + 1})
        .where((Book.id == book_id) & (Book.copies_out < Book.copies))
        .returning(Book.id)
    )
    if not taken:
        raise Conflict(LibraryCode.LIBRARY_NO_COPY)


async def return_book(*, actor: Claims, loan_id: int) -> LoanView:
    """Close one of the caller's loans and give its copy and its place in the limit back;
    the loan's conditional update makes a second return of the same loan a 409."""
    user_id = actor.user_id
    async with transaction():
        closed = (
            await Loan.update({Loan.status: LoanStatus.RETURNED, Loan.returned_at: utc_now()})
            .where((Loan.id == loan_id) & (Loan.user_id == user_id) & Loan.status.is_in(STILL_OUT))
            .returning(Loan.book)
        )
        if not closed:
            mine = await Loan.exists().where((Loan.id == loan_id) & (Loan.user_id == user_id))
            if mine:
                raise Conflict(LibraryCode.LIBRARY_LOAN_RETURNED)
            raise NotFound(LibraryCode.LIBRARY_LOAN_NOT_FOUND)
        await Reader.update({Reader.books_out: Reader.books_out - 1}).where(
            Reader.user_id == user_id
        )
        await Book.update({Book.copies_out: Book.copies_out - 1}).where(
            Book.id == closed[0]["book"]
        )
    return (await _loan_views(Loan.select().where(Loan.id == loan_id)))[0]


async def list_loans(*, actor: Claims, cursor: str | None, limit: int) -> LoanPage:
    """The caller's loans, newest first, returned ones included."""
    where: Any = Loan.user_id == actor.user_id
    if cursor:
        where &= Loan.id < decode_cursor(cursor)
    items = await _loan_views(
        Loan.select().where(where).order_by(Loan.id, ascending=False).limit(limit + 1)
    )
    more = len(items) > limit
    items = items[:limit]
    return LoanPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def _loan_views(query: Any) -> list[LoanView]:
    rows = await query
    ids = [row["book"] for row in rows] or [0]
    titles = {
        b["id"]: b["title"]
        for b in await Book.select(Book.id, Book.title).where(Book.id.is_in(ids))
    }
    return [
        LoanView(
            id=row["id"],
            book_id=row["book"],
            title=titles.get(row["book"], ""),
            status=LoanStatus(row["status"]),
            due_at=row["due_at"],
            returned_at=row["returned_at"],
        )
        for row in rows
    ]


def _book_view(row: dict[str, Any]) -> BookView:
    return BookView(
        id=row["id"],
        title=row["title"],
        community=row["community"],
        copies=row["copies"],
        available=row["copies"] - row["copies_out"],
    )


async def tally_loan(event: Event, job: JobContext) -> None:
    """Count the loan on the book; the host runs this once per event."""
    await Book.update({Book.times_borrowed: Book.times_borrowed + 1}).where(
        Book.id == event.payload.book_id
    )


async def open_loans(claims: Claims) -> int:
    """The badge of the borrowing tile: the caller's books still out."""
    return int(
        await Loan.count().where((Loan.user_id == claims.user_id) & Loan.status.is_in(STILL_OUT))
    )


async def mark_overdue(job: JobContext) -> int:
    overdue = (
        await Loan.update({Loan.status: LoanStatus.OVERDUE})
        .where((Loan.status == LoanStatus.OPEN) & (Loan.due_at < utc_now()))
        .returning(Loan.id)
    )
    return len(overdue)
