"""The sweep of lapsed keys against a request that takes one over at the same moment, on
PostgreSQL: the row the request now holds is fresh, and the sweep must leave it."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import pytest

from backend.kernel.db import current_engine, is_postgres
from backend.kernel.idempotency.store import KEEP_FOR, claim, forget_lapsed_keys
from backend.kernel.idempotency.tables import IdempotentRequest
from tests.support import until_waiting_on_a_lock

pytestmark = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's row locks")

_TAKE_OVER = (
    "UPDATE idempotent_request SET created_at = $2, request_hash = 'second'"
    " WHERE user_id = 7 AND key = $1"
)


async def test_a_key_taken_over_while_the_sweep_runs_is_kept() -> None:
    assert await claim(7, "k-race", "POST /x", "first") is None
    lapsed = dt.datetime.now(dt.UTC) - KEEP_FOR - dt.timedelta(minutes=1)
    await IdempotentRequest.update({IdempotentRequest.created_at: lapsed}, force=True)
    request = await asyncpg.connect(**current_engine().config)
    try:
        # The request's claim has taken the lapsed row over and not yet committed.
        held = request.transaction()
        await held.start()
        await request.execute(_TAKE_OVER, "k-race", dt.datetime.now(dt.UTC))
        sweep = asyncio.create_task(forget_lapsed_keys())
        await until_waiting_on_a_lock(request, "the sweep")
        await held.commit()
        assert await asyncio.wait_for(sweep, timeout=10) == 0
    finally:
        await request.close()
    kept = await IdempotentRequest.select(IdempotentRequest.request_hash)
    assert kept == [{"request_hash": "second"}]
