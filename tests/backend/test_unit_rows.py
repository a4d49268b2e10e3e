"""Audit rows written with their unit of work: at its end, in one statement for them all,
committed or rolled back with it; outside a unit of work, at once."""

from __future__ import annotations

import pytest

from backend.directory.users.service import audit
from backend.directory.users.tables import AuditEntry
from backend.kernel.claims import Claims
from backend.kernel.db import fetch_rows
from backend.kernel.events import unit_of_work

ACTOR = Claims(sub="7", iss="t", aud="t", exp=2**31, iat=0, jti="j", roles=[])


async def _actions() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    return [row["action"] for row in rows]


async def test_audit_rows_of_a_unit_are_written_at_its_end_and_commit_with_it() -> None:
    async with unit_of_work():
        await audit(ACTOR, "test.first", 1, {})
        await audit(ACTOR, "test.second", 2, {"n": 2})
        # Not written yet: the unit writes them together when its work is done.
        assert await fetch_rows(f"SELECT id FROM {AuditEntry._meta.tablename}") == []
    assert await _actions() == ["test.first", "test.second"]


async def _audited_then_failed() -> None:
    async with unit_of_work():
        await audit(ACTOR, "test.lost", 1, {})
        raise ConnectionError("rolled back")


async def test_audit_rows_of_a_unit_rolled_back_are_never_written() -> None:
    with pytest.raises(ConnectionError):
        await _audited_then_failed()
    assert await _actions() == []


async def test_an_audit_row_outside_a_unit_is_written_at_once() -> None:
    await audit(ACTOR, "test.alone", 3, {})
    assert await _actions() == ["test.alone"]
