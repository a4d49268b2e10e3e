"""A book corner that ran before readers had a count keeps its limit after the upgrade: the
migration that adds the count starts it from the books each person already has out."""

from __future__ import annotations

import datetime as dt
import importlib

from yimen_library.tables import Book, Loan, Reader

from tests.examples.library.conftest import C03

COUNTING = "yimen_library.migrations.library_2026_12_01t15_23_53_000000"


async def test_the_upgrade_counts_the_books_already_out() -> None:
    book = (await Book.insert(Book(title="围城", copies=5, copies_out=4, community=C03)))[0]["id"]
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    await Loan.insert(
        *(
            Loan(book=book, user_id=user, due_at=due, status=status)
            for user, status in [(7, "open"), (7, "overdue"), (7, "returned"), (8, "open")]
        )
    )
    manager = await importlib.import_module(COUNTING).forwards()
    await manager.run()
    counts = await Reader.select(Reader.user_id, Reader.books_out).order_by(Reader.user_id)
    assert counts == [{"user_id": 7, "books_out": 2}, {"user_id": 8, "books_out": 1}]
