"""A rate limit holds across processes: two `yimen serve` processes on PostgreSQL and one
Redis allow, together, exactly what the limit allows."""

from __future__ import annotations

import asyncio

import httpx

from tests.e2e.processes import RedisServer, fleet, postgres_url_or_skip, redis_server

__all__ = ["redis_server"]

LIMIT = 7
TRIES = 24


def _guess(http: httpx.AsyncClient, base: str, phone: str) -> asyncio.Future[httpx.Response]:
    """A guess at a code no phone was sent: a 401 while the phone may still try."""
    return asyncio.ensure_future(
        http.post(f"{base}/v1/auth/login", json={"phone": phone, "code": "000000"})
    )


def _tally(answers: list[httpx.Response]) -> tuple[list[httpx.Response], list[httpx.Response]]:
    allowed = [a for a in answers if a.status_code == 401]
    refused = [a for a in answers if a.status_code == 429]
    assert len(allowed) + len(refused) == len(answers), [a.status_code for a in answers]
    assert {a.json()["code"] for a in refused} == {"rate_limited"}
    assert all(int(a.headers["retry-after"]) >= 1 for a in refused)
    return allowed, refused


async def test_two_api_processes_share_one_limit(redis_server: RedisServer) -> None:
    database_url = postgres_url_or_skip()
    extra = {"YIMEN_RATE_LOGIN_PER_PHONE": f"{LIMIT}/h", "YIMEN_RATE_LOGIN_PER_ADDRESS": "1000/h"}
    async with fleet(database_url, redis_server.url, extra) as group:
        bases = [await group.api(), await group.api()]
        async with httpx.AsyncClient(timeout=30) as http:
            # One after another, to each process in turn: each alone would allow LIMIT.
            turns = [await _guess(http, bases[n % 2], "13912345678") for n in range(TRIES)]
            # All at once, half to each: two processes must not both take the last one.
            burst = await asyncio.gather(
                *(_guess(http, bases[n % 2], "13912345679") for n in range(TRIES))
            )
    allowed, _ = _tally(turns)
    assert len(allowed) == LIMIT
    assert [str(a.request.url).startswith(bases[0]) for a in allowed] == [True, False] * 3 + [True]
    allowed, _ = _tally(list(burst))
    assert len(allowed) == LIMIT
