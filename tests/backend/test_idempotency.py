"""Idempotency-Key: a repeat gets the first answer; the same key with another body is refused."""

from __future__ import annotations

import asyncio

from yimen_library.app import Book, Loan

from auth.roles import Role
from backend.idempotency.tables import IdempotentRequest
from backend.users.tables import RoleAssignment
from tests.conftest import Client, TokenFor, bearer

STAFF = {
    "phone": "13700000042",
    "name": "新网格员",
    "role": "grid_worker",
    "scope_path": "zz/gx/fengyang/c03/g07",
}


async def test_a_repeat_gets_the_first_answer(client: Client, token_for: TokenFor) -> None:
    headers = {**bearer(await token_for(Role.COMMUNITY_ADMIN)), "Idempotency-Key": "k-1"}
    before = await RoleAssignment.count()
    first = await client.post("/v1/staff", json=STAFF, headers=headers)
    again = await client.post("/v1/staff", json=STAFF, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await RoleAssignment.count() == before + 1


async def test_the_same_key_with_another_body_is_refused(
    client: Client, token_for: TokenFor
) -> None:
    headers = {**bearer(await token_for(Role.COMMUNITY_ADMIN)), "Idempotency-Key": "k-2"}
    await client.post("/v1/staff", json=STAFF, headers=headers)
    before = await RoleAssignment.count()
    other = await client.post("/v1/staff", json={**STAFF, "phone": "13700000043"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await RoleAssignment.count() == before


async def test_keys_belong_to_their_user(client: Client, token_for: TokenFor) -> None:
    mine = {**bearer(await token_for(Role.COMMUNITY_ADMIN)), "Idempotency-Key": "shared"}
    theirs = {**bearer(await token_for(Role.DISTRICT_ADMIN)), "Idempotency-Key": "shared"}
    assert (await client.post("/v1/staff", json=STAFF, headers=mine)).status_code == 201
    other = await client.post("/v1/staff", json={**STAFF, "phone": "13700000044"}, headers=theirs)
    assert other.status_code == 201
    assert "idempotent-replayed" not in other.headers


async def test_a_refused_request_frees_nothing_and_stores_its_answer(
    client: Client, token_for: TokenFor
) -> None:
    headers = {**bearer(await token_for(Role.COMMUNITY_ADMIN)), "Idempotency-Key": "k-3"}
    outside = {**STAFF, "scope_path": "zz/gx/fengyang/c04/g01"}
    first = await client.post("/v1/staff", json=outside, headers=headers)
    again = await client.post("/v1/staff", json=outside, headers=headers)
    assert first.status_code == again.status_code == 403


async def test_copies_sent_at_once_borrow_once(client: Client, token_for: TokenFor) -> None:
    rows = await Book.insert(Book(title="围城", community="zz/gx/fengyang/c03", copies=5))
    book = rows[0]["id"]
    headers = {**bearer(await token_for(Role.RESIDENT)), "Idempotency-Key": "borrow-1"}
    answers = await asyncio.gather(
        *(
            client.post(f"/v1/miniapps/library/books/{book}/borrow", headers=headers)
            for _ in range(5)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert await Loan.count() == 1
    assert await Book.select(Book.copies_out).where(Book.id == book).first() == {"copies_out": 1}
    replay = await client.post(f"/v1/miniapps/library/books/{book}/borrow", headers=headers)
    assert replay.status_code == 201
    assert await Loan.count() == 1


async def test_a_malformed_key_is_a_400(client: Client, token_for: TokenFor) -> None:
    headers = {**bearer(await token_for(Role.COMMUNITY_ADMIN)), "Idempotency-Key": "x" * 201}
    response = await client.post("/v1/staff", json=STAFF, headers=headers)
    assert response.status_code == 400
    assert await IdempotentRequest.count() == 0
