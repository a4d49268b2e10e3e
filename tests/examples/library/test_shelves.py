"""Shelves: admins add books to the communities they run (once per `Idempotency-Key`),
residents see their own community's books a page at a time; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from yimen_library.tables import Book

from tests.examples.library.conftest import (
    ADMIN_C03,
    ADMIN_C04,
    APP,
    C03,
    C04,
    RESIDENT,
    RESIDENT_JINSHUI,
    Library,
    problem,
)


async def _shelf(library: Library, phone: str, **params: Any) -> dict[str, Any]:
    listed = await library.client.get(
        f"{APP}/books", params=params, headers=await library.headers(phone)
    )
    assert listed.status_code == 200, listed.text
    body: dict[str, Any] = listed.json()
    return body


async def test_a_book_added_to_a_community_is_seen_by_its_residents(library: Library) -> None:
    added = await library.add(title="三体", copies=2)
    assert added.status_code == 201, added.text
    book = added.json()
    assert book == {
        "id": book["id"],
        "title": "三体",
        "community": C03,
        "copies": 2,
        "available": 2,
    }
    assert await _shelf(library, RESIDENT) == {"items": [book], "next_cursor": None}


async def test_residents_see_only_their_own_communitys_books(library: Library) -> None:
    ours = await library.book(community=C03)
    theirs = await library.book(community=C04)
    assert [b["id"] for b in (await _shelf(library, RESIDENT))["items"]] == [ours]
    assert [b["id"] for b in (await _shelf(library, ADMIN_C04))["items"]] == [theirs]
    assert (await _shelf(library, RESIDENT_JINSHUI))["items"] == []


async def test_the_same_idempotency_key_adds_the_book_once(library: Library) -> None:
    headers = await library.headers(ADMIN_C03, **{"Idempotency-Key": "add-hongloumeng"})
    body = {"title": "红楼梦", "community": C03, "copies": 3}
    first = await library.client.post(f"{APP}/books", json=body, headers=headers)
    again = await library.client.post(f"{APP}/books", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await Book.count() == 1
    other = await library.client.post(f"{APP}/books", json={**body, "copies": 4}, headers=headers)
    problem(other, 422, "idempotency_key_reused")
    assert await Book.count() == 1


async def test_an_admin_adds_only_to_a_community_they_run(library: Library) -> None:
    problem(await library.add(ADMIN_C04, community=C03), 403, "scope_not_allowed")
    problem(await library.add(RESIDENT, community=C03), 403, "forbidden")
    assert await Book.count() == 0


@pytest.mark.parametrize(
    "community",
    [f"{C03}/g07", "zz/gx/fengyang", "zz/gx/fengyang/c99", "zz/gx/fengyang/C03", "../c03", ""],
    ids=["a grid", "a street", "unknown", "upper case", "not a path", "empty"],
)
async def test_a_shelf_must_be_a_community_that_exists(library: Library, community: str) -> None:
    body = problem(await library.add(community=community), 422, "org_unit_unknown")
    assert [e["field"] for e in body["errors"]] == ["community"]
    assert await Book.count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "书" * 201},
        {"title": None},
        {"copies": 0},
        {"copies": 1_000_001},
        {"copies": "two"},
        {"community": 3},
    ],
)
async def test_a_malformed_book_is_refused(library: Library, change: dict[str, Any]) -> None:
    body = problem(await library.add(**change), 400, "validation_failed")
    assert [e["field"] for e in body["errors"]] == list(change)
    assert await Book.count() == 0


async def test_a_book_without_a_community_is_refused(library: Library) -> None:
    response = await library.client.post(
        f"{APP}/books", json={"title": "红楼梦"}, headers=await library.headers(ADMIN_C03)
    )
    problem(response, 400, "validation_failed")
    assert await Book.count() == 0


async def test_the_shelf_pages_by_cursor_newest_first(library: Library) -> None:
    books = [await library.book() for _ in range(5)]
    seen: list[int] = []
    cursor = None
    for _ in range(3):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await _shelf(library, RESIDENT, **params)
        seen += [b["id"] for b in page["items"]]
        cursor = page["next_cursor"]
    assert cursor is None
    assert seen == sorted(books, reverse=True)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "not-ours"}, "cursor_invalid"),
        ({"limit": 0}, "validation_failed"),
        ({"limit": 101}, "validation_failed"),
    ],
)
async def test_a_bad_page_request_is_a_400(
    library: Library, params: dict[str, Any], code: str
) -> None:
    listed = await library.client.get(
        f"{APP}/books", params=params, headers=await library.headers(RESIDENT)
    )
    problem(listed, 400, code)
