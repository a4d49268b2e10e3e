"""HTTP of the book corner: parse, guard, call the service, answer."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.sdk import (
    AnyRequest,
    DirectoryCode,
    KernelCode,
    PageCursor,
    PageLimit,
    Role,
    RowId,
    claims_of,
    idempotent,
    problems,
    requires_role,
)
from yimen_library import service
from yimen_library.errors import LibraryCode
from yimen_library.schemas import BookIn, BookPage, BookView, LoanPage, LoanView


@get("/books", operation_id="ListLibraryBooks")
async def list_books(
    request: AnyRequest, cursor: PageCursor = None, limit: FromQuery[PageLimit] = 20
) -> BookPage:
    """The books of the caller's community, newest first.

    A resident sees the shelf of the community above their home; an admin, the shelves of
    the communities they run too. The next page is the one after `next_cursor`."""
    return await service.list_books(actor=claims_of(request), cursor=cursor, limit=limit)


@post(
    "/books",
    operation_id="AddLibraryBook",
    guards=[requires_role(Role.COMMUNITY_ADMIN)],
    middleware=[idempotent],
    responses=problems(
        {403: [KernelCode.SCOPE_NOT_ALLOWED], 422: [DirectoryCode.ORG_UNIT_UNKNOWN]}
    ),
)
async def add_book(request: AnyRequest, data: JSONBody[BookIn]) -> BookView:
    """Add a book to the shelf of a community the admin runs.

    Send an `Idempotency-Key` so that a retry after a lost answer adds it once."""
    return await service.add_book(actor=claims_of(request), data=data)


@post(
    "/books/{book_id:int}/borrow",
    operation_id="BorrowLibraryBook",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[idempotent],
    responses=problems(
        {
            404: [LibraryCode.LIBRARY_BOOK_NOT_FOUND],
            409: [LibraryCode.LIBRARY_NO_COPY, LibraryCode.LIBRARY_LOAN_LIMIT],
        }
    ),
)
async def borrow(request: AnyRequest, book_id: FromPath[RowId]) -> LoanView:
    """Borrow a book of the caller's community for 30 days.

    Up to 3 books at once; a book of another community is not found."""
    return await service.borrow(actor=claims_of(request), book_id=book_id)


@get("/loans", operation_id="ListLibraryLoans")
async def list_loans(
    request: AnyRequest, cursor: PageCursor = None, limit: FromQuery[PageLimit] = 20
) -> LoanPage:
    """The caller's loans, newest first.

    Returned ones included; the next page is the one after `next_cursor`."""
    return await service.list_loans(actor=claims_of(request), cursor=cursor, limit=limit)


@post(
    "/loans/{loan_id:int}/return",
    status_code=200,
    operation_id="ReturnLibraryBook",
    responses=problems(
        {
            404: [LibraryCode.LIBRARY_LOAN_NOT_FOUND],
            409: [LibraryCode.LIBRARY_LOAN_RETURNED],
        }
    ),
)
async def return_book(request: AnyRequest, loan_id: FromPath[RowId]) -> LoanView:
    """Return a borrowed book.

    Its copy goes back on the shelf and frees a place in the caller's limit; someone else's
    loan is not found."""
    return await service.return_book(actor=claims_of(request), loan_id=loan_id)


router = Router(path="/", route_handlers=[list_books, add_book, borrow, list_loans, return_book])
