"""insert_rows(): plain rows written as the columns hold them, on both engines, joining the
transaction around it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from backend.kernel.db import insert_rows, transaction
from backend.kernel.events.tables import DeadLetter

COLUMNS = (
    DeadLetter.event_id,
    DeadLetter.name,
    DeadLetter.handler,
    DeadLetter.error,
    DeadLetter.attempts,
    DeadLetter.failed_at,
)


def _row(n: int) -> tuple[uuid.UUID, str, str, str, int, dt.datetime]:
    at = dt.datetime(2026, 11, 22, 8, 30, n, tzinfo=dt.UTC)
    return (uuid.uuid4(), "grid_events.reported", "notify", f"错误 {n}", n, at)


async def test_rows_read_back_as_written() -> None:
    rows = [_row(n) for n in range(3)]
    await insert_rows(DeadLetter, COLUMNS, rows)
    stored = await DeadLetter.select(*COLUMNS).order_by(DeadLetter.attempts)
    assert [tuple(r.values()) for r in stored] == rows


class Undo(Exception):
    pass


async def _write_then_give_up() -> None:
    async with transaction():
        await insert_rows(DeadLetter, COLUMNS, [_row(1), _row(2)])
        assert await DeadLetter.count() == 2
        raise Undo


async def test_a_rolled_back_transaction_keeps_none_of_them() -> None:
    with pytest.raises(Undo):
        await _write_then_give_up()
    assert await DeadLetter.count() == 0


async def test_more_rows_than_bound_parameters_allow_in_one_statement() -> None:
    rows = [_row(n % 60) for n in range(6000)]  # 36,000 values: past PostgreSQL's 32,767
    await insert_rows(DeadLetter, COLUMNS, rows)
    assert await DeadLetter.count() == 6000
