"""Idempotency-Key: a repeat gets the first answer; the same key with another body is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from litestar import Litestar, post
from litestar.config.compression import CompressionConfig
from litestar.types import ASGIApp, Receive, Scope, Send
from yimen_library.tables import Book, Loan

from backend.directory.users.tables import RoleAssignment
from backend.host import FORGET_KEYS, all_crons, job_functions
from backend.kernel.claims import Claims
from backend.kernel.errors import EXCEPTION_HANDLERS, PROBLEM_MEDIA_TYPE
from backend.kernel.idempotency import idempotent
from backend.kernel.idempotency.store import KEEP_FOR
from backend.kernel.idempotency.tables import IdempotentRequest
from backend.kernel.requests import JsonRequest
from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenFor, bearer
from tests.support import running

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


async def test_a_key_older_than_a_day_is_a_new_request(client: Client, token_for: TokenFor) -> None:
    headers = {**bearer(await token_for(Role.COMMUNITY_ADMIN)), "Idempotency-Key": "k-old"}
    assert (await client.post("/v1/staff", json=STAFF, headers=headers)).status_code == 201
    await _age_keys(KEEP_FOR + dt.timedelta(seconds=1))
    other = await client.post("/v1/staff", json={**STAFF, "phone": "13700000045"}, headers=headers)
    assert other.status_code == 201
    assert "idempotent-replayed" not in other.headers
    again = await client.post("/v1/staff", json={**STAFF, "phone": "13700000045"}, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == other.json()


async def test_a_key_younger_than_a_day_still_answers_as_the_first(
    client: Client, token_for: TokenFor
) -> None:
    headers = {**bearer(await token_for(Role.COMMUNITY_ADMIN)), "Idempotency-Key": "k-young"}
    first = await client.post("/v1/staff", json=STAFF, headers=headers)
    await _age_keys(KEEP_FOR - dt.timedelta(minutes=1))
    again = await client.post("/v1/staff", json=STAFF, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


async def test_a_cron_forgets_keys_older_than_a_day(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    host = services_of(app)
    assert FORGET_KEYS in dict(all_crons(host.registry))
    token = bearer(await token_for(Role.COMMUNITY_ADMIN))
    old = {**token, "Idempotency-Key": "k-lapsed"}
    await client.post("/v1/staff", json=STAFF, headers=old)
    await _age_keys(KEEP_FOR + dt.timedelta(seconds=1))
    fresh = {**token, "Idempotency-Key": "k-fresh"}
    await client.post("/v1/staff", json={**STAFF, "phone": "13700000046"}, headers=fresh)

    await job_functions(host.registry)[FORGET_KEYS]({"services": host})

    kept = await IdempotentRequest.select(IdempotentRequest.key)
    assert [row["key"] for row in kept] == ["k-fresh"]


async def _age_keys(by: dt.timedelta) -> None:
    """Every key as if its first request had come `by` earlier."""
    for row in await IdempotentRequest.select(IdempotentRequest.id, IdempotentRequest.created_at):
        await IdempotentRequest.update(
            {IdempotentRequest.created_at: row["created_at"] - by}
        ).where(IdempotentRequest.id == row["id"])


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


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("x" * 201, id="too-long"),
        pytest.param("ключ-1", id="cyrillic"),
        pytest.param("clé-1", id="accented"),
        pytest.param("a\tb", id="control-character"),
        pytest.param("a b", id="space"),
    ],
)
async def test_a_bad_key_is_a_400_problem(client: Client, token_for: TokenFor, key: str) -> None:
    headers = [
        *bearer(await token_for(Role.COMMUNITY_ADMIN)).items(),
        ("Idempotency-Key", key.encode()),
    ]
    response = await client.post("/v1/staff", json=STAFF, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "idempotency_key_invalid"
    assert await IdempotentRequest.count() == 0


class EndlessBody:
    """An ASGI receive that sends a body in chunks until it has sent `total` bytes."""

    CHUNK = 64 * 1024

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    async def __call__(self) -> dict[str, Any]:
        chunk = b" " * min(self.CHUNK, self.total - self.sent)
        self.sent += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": self.sent < self.total}


class LeavingClient:
    """An ASGI receive for a client that sends half a body and hangs up."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = [
            {"type": "http.request", "body": b'{"phone": "137', "more_body": True},
            {"type": "http.disconnect"},
        ]

    async def __call__(self) -> dict[str, Any]:
        return self.messages.pop(0)


async def _post_staff(
    app: Litestar, token: str, body: EndlessBody | LeavingClient, *, announce: bool = False
) -> list[dict[str, Any]]:
    headers = [
        (b"host", b"testserver"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"idempotency-key", b"huge-1"),
    ]
    if announce and isinstance(body, EndlessBody):
        headers.append((b"content-length", str(body.total).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/staff",
        "raw_path": b"/v1/staff",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, body, send)  # type: ignore[arg-type]
    return sent


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
async def test_a_huge_body_is_refused_before_it_is_buffered(
    app: Litestar, client: Client, token_for: TokenFor, settings: Settings, announce: bool
) -> None:
    token = await token_for(Role.COMMUNITY_ADMIN)
    body = EndlessBody(total=settings.max_body_bytes * 8)
    start = (await _post_staff(app, token, body, announce=announce))[0]
    assert start["status"] == 413
    assert dict(start["headers"])[b"content-type"] == PROBLEM_MEDIA_TYPE.encode()
    limit = 0 if announce else settings.max_body_bytes + EndlessBody.CHUNK
    assert body.sent <= limit
    assert await IdempotentRequest.count() == 0


async def test_a_client_that_leaves_mid_body_claims_no_key(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    """Half a body is not the request: answering it would store an answer for the key, and
    the client's retry with the whole body would be refused as another request."""
    await _post_staff(app, await token_for(Role.COMMUNITY_ADMIN), LeavingClient())
    assert await IdempotentRequest.count() == 0


class _Admin:
    """Signs every request in as one user, as auth's middleware would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["user"] = Claims(sub="42", iss="t", aud="t", exp=2**31, iat=0, jti="j", roles=[])
        await self.app(scope, receive, send)


@post("/long-answer", middleware=[idempotent])
async def long_answer() -> dict[str, str]:
    """An answer long enough to be compressed on its way out."""
    return {"text": "一门式服务" * 1000}


async def test_a_repeat_of_a_compressed_answer_is_read_as_the_first() -> None:
    app = Litestar(
        [long_answer],
        middleware=[_Admin],
        request_class=JsonRequest,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
    )
    headers = {"Idempotency-Key": "long-1", "Accept-Encoding": "gzip"}
    async with running(app) as client:
        first = await client.post("/long-answer", headers=headers)
        again = await client.post("/long-answer", headers=headers)
    assert first.headers["content-encoding"] == "gzip"
    assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")
    assert again.json() == first.json()
