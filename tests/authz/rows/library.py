"""Rows for the example third-party mini-app, the community book corner
(`examples/yimen-library`): everyone signed in reads the shelves of their community and
their own loans; residents borrow only from their own community's shelf (any other book is
a 404, as if missing); community admins add books to the communities they run; a loan is
returned only by its borrower."""

from __future__ import annotations

import datetime as dt

from yimen_library.tables import Book, Loan, Reader

from tests.authz.city import City
from tests.authz.matrix import (
    C03,
    C04,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    TargetMaker,
    each,
    no_request,
    path_ids,
    per_caller,
)

APP = "/v1/miniapps/library"

# The demo callers whose home lies in each community.
LIVING_IN_C03 = (
    Caller.RESIDENT,
    Caller.FAMILY,
    Caller.WORKER_G07,
    Caller.WORKER_G08,
    Caller.ADMIN_C03,
    Caller.CARE,
    Caller.MERCHANT,
)
LIVING_IN_C04 = (Caller.ADMIN_C04,)


def _book_in(community: str) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        rows = await Book.insert(Book(title="红楼梦", copies=1000, community=community)).returning(
            Book.id
        )
        return Target(path=community, ids={"book_id": rows[0]["id"]})

    return make


async def _c03(city: City, caller: Caller) -> Target:
    return Target(path=C03)


async def _add_to_community(city: City, target: Target, caller: Caller) -> Req:
    return Req(json={"title": "西游记", "community": target.path, "copies": 2})


async def _loan_of(city: City, owner: Caller) -> Target:
    """A book out with `owner`, as a borrow leaves it: the copy and the count taken."""
    user_id = city.ids[owner]
    book = await Book.insert(Book(title="围城", copies=1, copies_out=1, community=C03))
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    loan = await Loan.insert(Loan(book=book[0]["id"], user_id=user_id, due_at=due))
    await Reader.insert(Reader(user_id=user_id, books_out=1)).on_conflict(
        target=Reader.user_id, action="DO UPDATE", values=[(Reader.books_out, 1)]
    )
    return Target(path=C03, owner=owner, ids={"loan_id": loan[0]["id"]})


@per_caller
async def _own_loan(city: City, caller: Caller) -> Target:
    return await _loan_of(city, Caller.RESIDENT if caller is Caller.ANONYMOUS else caller)


async def _residents_loan(city: City, caller: Caller) -> Target:
    return await _loan_of(city, Caller.RESIDENT)


ROWS = [
    Row("GET", f"{APP}/books", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "POST",
        f"{APP}/books",
        {"a c03 shelf": _c03},
        {"a c03 shelf": {Caller.ADMIN_C03: 201}},
        _add_to_community,
    ),
    Row(
        "POST",
        f"{APP}/books/{{book_id:int}}/borrow",
        {"a c03 book": _book_in(C03), "a c04 book": _book_in(C04)},
        {"a c03 book": each(LIVING_IN_C03, 201), "a c04 book": each(LIVING_IN_C04, 201)},
        path_ids("book_id"),
        denied=404,
        reuse_targets=True,
    ),
    Row("GET", f"{APP}/loans", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "POST",
        f"{APP}/loans/{{loan_id:int}}/return",
        {"the caller's own loan": _own_loan, "the g07 resident's loan": _residents_loan},
        {
            "the caller's own loan": each(SIGNED_IN, 200),
            "the g07 resident's loan": {Caller.RESIDENT: 200},
        },
        path_ids("loan_id"),
        denied=404,
    ),
]
