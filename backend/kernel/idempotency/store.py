"""The rows behind Idempotency-Key: one statement to claim a key, one to keep its answer.

A key is kept `KEEP_FOR` after its first request; after that the same key is a new request
(the claim takes the old row over in the same statement), and the cron `idempotency.forget`
deletes what nobody asked for again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from backend.kernel.clock import utc_now
from backend.kernel.db import fetch_rows

KEEP_FOR = dt.timedelta(hours=24)
FORGET_AT_ONCE = 5_000  # rows a sweep deletes per statement: short locks, a bounded WAL burst

_CLAIM = (
    "INSERT INTO idempotent_request"
    " (user_id, key, route, request_hash, status, media_type, body, created_at)"
    " VALUES ($1, $2, $3, $4, NULL, 'application/json', NULL, $5)"
    " ON CONFLICT (user_id, key) DO UPDATE SET route = excluded.route,"
    " request_hash = excluded.request_hash, status = NULL, media_type = excluded.media_type,"
    " body = NULL, created_at = excluded.created_at"
    " WHERE idempotent_request.created_at < $6"
    " RETURNING id"
)
_FIRST = (
    "SELECT route, request_hash, status, media_type, body FROM idempotent_request"
    " WHERE user_id = $1 AND key = $2"
)
_KEEP = (
    "UPDATE idempotent_request SET status = $3, media_type = $4, body = $5"
    " WHERE user_id = $1 AND key = $2"
)
_FREE = "DELETE FROM idempotent_request WHERE user_id = $1 AND key = $2"
# The age again on the outer statement: a row a request took over while the sweep waited
# for it is fresh when PostgreSQL reads it again, and is kept.
_FORGET = (
    "DELETE FROM idempotent_request WHERE created_at < $1 AND id IN (SELECT id"
    " FROM idempotent_request WHERE created_at < $1 ORDER BY created_at LIMIT $2)"
)


async def claim(user_id: int, key: str, route: str, digest: str) -> Mapping[str, Any] | None:
    """Claim `key` for this request: None when it is ours to run, else the row of the
    request that holds it (its answer, or no status while it is still under way)."""
    now = utc_now()
    if await fetch_rows(_CLAIM, user_id, key, route, digest, now, now - KEEP_FOR):
        return None
    first = await fetch_rows(_FIRST, user_id, key)
    # Gone between the two statements: its request failed and freed it. Still not ours
    # to run now; the client's next try will find it free.
    return first[0] if first else {"route": route, "request_hash": digest, "status": None}


async def keep_answer(user_id: int, key: str, status: int, media_type: str, body: bytes) -> None:
    await fetch_rows(_KEEP, user_id, key, status, media_type, body)


async def free(user_id: int, key: str) -> None:
    """Let the key be tried again: its request ended without an answer to keep."""
    await fetch_rows(_FREE, user_id, key)


async def forget_lapsed_keys() -> int:
    """Delete every key kept longer than `KEEP_FOR`; how many went."""
    cutoff = utc_now() - KEEP_FOR
    forgotten = 0
    while True:
        gone = await fetch_rows(_FORGET + " RETURNING id", cutoff, FORGET_AT_ONCE)
        forgotten += len(gone)
        if len(gone) < FORGET_AT_ONCE:
            return forgotten
