"""Borrows and returns sent at once: the limit is never passed, a book never lends more
copies than it has, and a loan comes back once. On PostgreSQL a barrier holds the contended
row until every request waits to write it, so all of them have read it first: the race
really happens. SQLite runs one writer at a time, which the same assertions check."""

from __future__ import annotations

from collections.abc import Awaitable

import httpx
import jwt
from yimen_library.service import LOAN_LIMIT
from yimen_library.tables import Book, Loan, Reader

from tests.examples.library.conftest import Library
from tests.support import sent_behind_a_held_row


async def _at_once(
    barrier: str, row_id: int, requests: list[Awaitable[httpx.Response]]
) -> list[int]:
    """The statuses of `requests` sent together, behind a lock on row `row_id` of `barrier`."""
    return [r.status_code for r in await sent_behind_a_held_row(barrier, row_id, requests)]


def _user_of(token: str) -> int:
    return int(jwt.decode(token, options={"verify_signature": False})["sub"])


async def test_borrows_at_once_never_pass_the_limit(library: Library) -> None:
    token = await library.resident_token()
    books = [await library.book() for _ in range(LOAN_LIMIT + 5)]
    rows = await Reader.insert(Reader(user_id=_user_of(token))).returning(Reader.id)
    statuses = await _at_once(
        "library_reader", rows[0]["id"], [library.borrow(token, book) for book in books]
    )
    assert sorted(statuses) == [201] * LOAN_LIMIT + [409] * 5
    assert await Loan.count() == LOAN_LIMIT
    reader = await Reader.select(Reader.books_out).where(Reader.id == rows[0]["id"]).first()
    assert reader == {"books_out": LOAN_LIMIT}
    assert await Book.count().where(Book.copies_out == 1) == LOAN_LIMIT


async def test_borrows_at_once_never_lend_more_copies_than_there_are(library: Library) -> None:
    book = await library.book(copies=2)
    tokens = [await library.resident_token() for _ in range(6)]
    statuses = await _at_once(
        "library_book", book, [library.borrow(token, book) for token in tokens]
    )
    assert sorted(statuses) == [201, 201, 409, 409, 409, 409]
    assert await Book.select(Book.copies_out).where(Book.id == book).first() == {"copies_out": 2}
    assert await Loan.count() == 2
    assert sum(r["books_out"] for r in await Reader.select(Reader.books_out)) == 2


async def test_a_loan_returned_twice_at_once_comes_back_once(library: Library) -> None:
    book = await library.book(copies=2)
    token = await library.resident_token()
    loan = (await library.borrow(token, book)).json()["id"]
    assert (await library.borrow(await library.resident_token(), book)).status_code == 201
    statuses = await _at_once(
        "library_loan", loan, [library.give_back(token, loan) for _ in range(4)]
    )
    assert sorted(statuses) == [200, 409, 409, 409]
    assert await Book.select(Book.copies_out).where(Book.id == book).first() == {"copies_out": 1}
    reader = await Reader.select(Reader.books_out).where(Reader.user_id == _user_of(token))
    assert reader == [{"books_out": 0}]
