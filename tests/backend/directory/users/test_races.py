"""Requests that race for one account or one grant end with one row and clean answers."""

from __future__ import annotations

import asyncio

from backend.directory.users.service import PHONE_PURPOSE, account_for_phone
from backend.directory.users.tables import RoleAssignment, UserAccount
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from tests.conftest import Client, TokenFor, bearer

ROUNDS = 5
AT_ONCE = 8


async def test_one_phone_opened_at_once_is_one_account(vault: Vault) -> None:
    for n in range(ROUNDS):
        phone = f"1370000{n:04d}"
        ids = await asyncio.gather(
            *(account_for_phone(phone=phone, vault=vault) for _ in range(AT_ONCE))
        )
        assert len(set(ids)) == 1
        lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
        assert await UserAccount.count().where(UserAccount.phone_lookup == lookup) == 1


async def test_one_staff_grant_sent_at_once_is_one_account_and_one_role(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    """Each round provisions a new phone from several requests at once; on PostgreSQL they
    overlap inside their transactions, where a unique violation would abort the transaction."""
    admin = bearer(await token_for(Role.COMMUNITY_ADMIN))
    for n in range(ROUNDS):
        staff = {
            "phone": f"1370001{n:04d}",
            "name": "新网格员",
            "role": "grid_worker",
            "scope_path": "zz/gx/fengyang/c03/g07",
        }
        answers = await asyncio.gather(
            *(client.post("/v1/staff", json=staff, headers=admin) for _ in range(AT_ONCE))
        )
        statuses = {answer.status_code for answer in answers}
        assert statuses <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
        assert 201 in statuses
        lookup = vault.lookup(staff["phone"], purpose=PHONE_PURPOSE)
        account = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup)
        assert len(account) == 1
        held = await RoleAssignment.count().where(RoleAssignment.user == account[0]["id"])
        assert held == 1
