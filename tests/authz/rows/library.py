"""Rows for the example third-party mini-app, the community book corner
(`examples/yimen-library`): every resident reads and borrows, community admins add books."""

from __future__ import annotations

from yimen_library.app import Book

from tests.authz.city import City
from tests.authz.matrix import (
    C03,
    NOTHING,
    SIGNED_IN,
    Caller,
    Row,
    Target,
    each,
    json_body,
    no_request,
    path_ids,
)

APP = "/v1/miniapps/library"


async def _c03_book(city: City, caller: Caller) -> Target:
    rows = await Book.insert(Book(title="红楼梦", copies=1000, community=C03)).returning(Book.id)
    return Target(path=C03, ids={"book_id": rows[0]["id"]})


ROWS = [
    Row("GET", f"{APP}/books", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "POST",
        f"{APP}/books",
        NOTHING,
        {"-": each((Caller.ADMIN_C03, Caller.ADMIN_C04), 201)},
        json_body(lambda t: {"title": "西游记", "copies": 2}),
    ),
    Row(
        "POST",
        f"{APP}/books/{{book_id:int}}/borrow",
        {"a c03 book": _c03_book},
        {"a c03 book": each(SIGNED_IN, 201)},
        path_ids("book_id"),
        reuse_targets=True,
    ),
]
