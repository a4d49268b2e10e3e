"""Loans: a resident borrows their own community's books, at most three at once, and returns
them; a missing book is a 404, every refusal changes nothing; times are the host's."""

from __future__ import annotations

import datetime as dt
import re

import jwt
import msgspec
from yimen_library.service import LOAN_LIMIT
from yimen_library.tables import Book, Loan, Reader

from tests.examples.library.conftest import APP, C04, RESIDENT, Library, problem

# How the host writes a time (msgspec, aware, in UTC): 2026-12-01T06:52:07.914244Z
HOST_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


async def _copies_out(book: int) -> int:
    row = await Book.select(Book.copies_out).where(Book.id == book).first()
    assert row is not None
    return int(row["copies_out"])


async def _books_out(token: str) -> int:
    """The count the limit is taken from, of the token's holder."""
    user_id = int(jwt.decode(token, options={"verify_signature": False})["sub"])
    row = await Reader.select(Reader.books_out).where(Reader.user_id == user_id)
    return int(row[0]["books_out"]) if row else 0


async def test_a_missing_book_is_a_404(library: Library) -> None:
    token = await library.token_for_phone(RESIDENT)
    problem(await library.borrow(token, 987654), 404, "library_book_not_found")
    assert await Loan.count() == 0
    assert await _books_out(token) == 0


async def test_another_communitys_book_is_as_missing(library: Library) -> None:
    book = await library.book(community=C04)
    token = await library.token_for_phone(RESIDENT)
    problem(await library.borrow(token, book), 404, "library_book_not_found")
    assert await _copies_out(book) == 0
    assert await Loan.count() == 0


async def test_a_loan_carries_the_hosts_times(library: Library) -> None:
    book = await library.book()
    token = await library.token_for_phone(RESIDENT)
    before = dt.datetime.now(dt.UTC)
    borrowed = await library.borrow(token, book)
    after = dt.datetime.now(dt.UTC)
    assert borrowed.status_code == 201, borrowed.text
    loan = borrowed.json()
    assert loan["status"] == "open"
    assert (loan["book_id"], loan["title"], loan["returned_at"]) == (book, "红楼梦", None)
    assert HOST_TIME.match(loan["due_at"]), loan["due_at"]
    due = msgspec.json.decode(f'"{loan["due_at"]}"', type=dt.datetime)
    assert before + dt.timedelta(days=30) <= due <= after + dt.timedelta(days=30)
    listed = await library.client.get(f"{APP}/loans", headers={"Authorization": f"Bearer {token}"})
    assert listed.json() == {"items": [loan], "next_cursor": None}


async def test_the_limit_holds_until_a_book_comes_back(library: Library) -> None:
    token = await library.token_for_phone(RESIDENT)
    books = [await library.book() for _ in range(LOAN_LIMIT + 1)]
    loans = []
    for book in books[:LOAN_LIMIT]:
        borrowed = await library.borrow(token, book)
        assert borrowed.status_code == 201, borrowed.text
        loans.append(borrowed.json()["id"])
    problem(await library.borrow(token, books[-1]), 409, "library_loan_limit")
    assert await _copies_out(books[-1]) == 0
    assert await Loan.count() == LOAN_LIMIT
    assert (await library.give_back(token, loans[0])).status_code == 200
    assert (await library.borrow(token, books[-1])).status_code == 201
    assert await _books_out(token) == LOAN_LIMIT


async def test_a_return_puts_the_copy_back_once(library: Library) -> None:
    book = await library.book()
    token = await library.token_for_phone(RESIDENT)
    loan = (await library.borrow(token, book)).json()
    returned = await library.give_back(token, loan["id"])
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert HOST_TIME.match(returned.json()["returned_at"])
    assert await _copies_out(book) == 0
    problem(await library.give_back(token, loan["id"]), 409, "library_loan_returned")
    assert await _copies_out(book) == 0
    assert await _books_out(token) == 0


async def test_only_the_borrower_returns_a_loan(library: Library) -> None:
    book = await library.book()
    mine = await library.token_for_phone(RESIDENT)
    loan = (await library.borrow(mine, book)).json()
    neighbour = await library.resident_token()
    problem(await library.give_back(neighbour, loan["id"]), 404, "library_loan_not_found")
    problem(await library.give_back(mine, 987654), 404, "library_loan_not_found")
    assert await _copies_out(book) == 1
    assert await Loan.count().where(Loan.status == "open") == 1


async def test_an_overdue_book_can_be_returned(library: Library) -> None:
    book = await library.book()
    token = await library.token_for_phone(RESIDENT)
    loan = (await library.borrow(token, book)).json()
    await Loan.update({Loan.status: "overdue"}).where(Loan.id == loan["id"])
    assert (await library.give_back(token, loan["id"])).status_code == 200
    assert await _copies_out(book) == 0


async def test_the_last_copy_goes_to_one_reader_and_costs_the_other_nothing(
    library: Library,
) -> None:
    book = await library.book(copies=1)
    first, second = await library.resident_token(), await library.resident_token()
    assert (await library.borrow(first, book)).status_code == 201
    problem(await library.borrow(second, book), 409, "library_no_copy")
    assert await _books_out(second) == 0
    assert await Loan.count() == 1


async def test_a_home_above_any_community_borrows_nothing(library: Library) -> None:
    book = await library.book()
    token = await library.resident_token(home="zz/gx")
    problem(await library.borrow(token, book), 404, "library_book_not_found")
    listed = await library.client.get(f"{APP}/books", headers={"Authorization": f"Bearer {token}"})
    assert listed.json() == {"items": [], "next_cursor": None}
