"""HTTP of the book corner: parse, guard, call the service, answer."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.sdk import (
    AnyRequest,
    Cursor,
    PageLimit,
    Role,
    RowId,
    claims_of,
    idempotent,
    requires_role,
)
from yimen_library import service
from yimen_library.schemas import BookIn, BookPage, BookView, LoanPage, LoanView


@get("/books", operation_id="ListLibraryBooks")
async def list_books(
    request: AnyRequest, cursor: FromQuery[Cursor | None] = None, limit: FromQuery[PageLimit] = 20
) -> BookPage:
    """The books of the caller's community (and of those they run), newest first."""
    return await service.list_books(actor=claims_of(request), cursor=cursor, limit=limit)


@post(
    "/books",
    operation_id="AddLibraryBook",
    guards=[requires_role(Role.COMMUNITY_ADMIN)],
    middleware=[idempotent],
)
async def add_book(request: AnyRequest, data: JSONBody[BookIn]) -> BookView:
    """Add a book to the shelf of a community the admin runs; send an `Idempotency-Key`
    so that a retry after a lost answer adds it once."""
    return await service.add_book(actor=claims_of(request), data=data)


@post(
    "/books/{book_id:int}/borrow",
    operation_id="BorrowLibraryBook",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[idempotent],
)
async def borrow(request: AnyRequest, book_id: FromPath[RowId]) -> LoanView:
    """Borrow a book of the caller's community for 30 days, up to 3 books at once."""
    return await service.borrow(actor=claims_of(request), book_id=book_id)


@get("/loans", operation_id="ListLibraryLoans")
async def list_loans(
    request: AnyRequest, cursor: FromQuery[Cursor | None] = None, limit: FromQuery[PageLimit] = 20
) -> LoanPage:
    """The caller's loans, newest first, returned ones included."""
    return await service.list_loans(actor=claims_of(request), cursor=cursor, limit=limit)


@post("/loans/{loan_id:int}/return", status_code=200, operation_id="ReturnLibraryBook")
async def return_book(request: AnyRequest, loan_id: FromPath[RowId]) -> LoanView:
    """Return a borrowed book: its copy goes back on the shelf and frees a place in the limit."""
    return await service.return_book(actor=claims_of(request), loan_id=loan_id)


router = Router(path="/", route_handlers=[list_books, add_book, borrow, list_loans, return_book])
