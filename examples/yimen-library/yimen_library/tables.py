"""The book corner's tables; every name starts with the slug, as the host requires."""

from __future__ import annotations

from piccolo.columns import BigInt, BigSerial, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Book(Table, tablename="library_book"):
    id = BigSerial(primary_key=True)
    title = Varchar(length=200)
    community = Varchar(length=200, index=True)  # the org path of the community that owns it
    copies = Integer(default=1)
    copies_out = Integer(default=0)  # never above `copies`: borrowing takes one conditionally
    times_borrowed = Integer(default=0)


class Loan(Table, tablename="library_loan"):
    id = BigSerial(primary_key=True)
    book = BigInt(index=True)
    user_id = BigInt(index=True)
    due_at = Timestamptz()
    returned_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="open")  # a LoanStatus


class Reader(Table, tablename="library_reader"):
    """One row per person who ever borrowed: the count of their books out, kept beside the
    loans so that the limit can be taken by one conditional update, as copies are."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    books_out = Integer(default=0)
