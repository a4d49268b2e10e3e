"""办件编号 under load on PostgreSQL: a submit takes its number in its transaction once its
case's row is held, so a submit waiting for its row (here held by an officer's long
transaction) holds no number up, and the next resident's submit is numbered at once."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from backend.kernel.db import current_engine, is_postgres
from backend.kernel.vault import Vault
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import APP, legal_aid_drafts
from tests.support import until_waiting_on_a_lock

pytestmark = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's row locks")


async def test_a_submit_held_in_its_transaction_does_not_hold_the_next_number(
    client: Client, vault: Vault, token_for_phone: TokenForPhone
) -> None:
    phones = ["13900000300", "13900000301"]
    drafts = await legal_aid_drafts(client, vault, token_for_phone, phones)
    (first_token, first), (second_token, second) = drafts
    officer = await asyncpg.connect(**current_engine().config)
    try:
        held = officer.transaction()
        await held.start()
        await officer.execute(
            "SELECT 1 FROM gov_services_application WHERE id = $1 FOR UPDATE", first["id"]
        )
        blocked = asyncio.create_task(
            client.post(f"{APP}/applications/{first['id']}/submit", headers=bearer(first_token))
        )
        await until_waiting_on_a_lock(officer, "the first submit")
        answer = await asyncio.wait_for(
            client.post(f"{APP}/applications/{second['id']}/submit", headers=bearer(second_token)),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert not blocked.done()
        await held.rollback()
        unblocked = await asyncio.wait_for(blocked, timeout=10)
    finally:
        await officer.close()
    assert unblocked.status_code == 200, unblocked.text
    # Numbered as written: the waiting submit took the next number, and none was skipped.
    refs = [answer.json()["ref"], unblocked.json()["ref"]]
    assert [int(ref[8:]) for ref in refs] == [1, 2]
