"""Killing the API process in the middle of payments leaves each transfer whole or absent:
the ledger still sums to zero, every balance equals its entries, and every payment the
database holds as paid has exactly its transfer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess

import httpx

from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from backend.seed import demo_user_with_role
from miniapps.payment.collection_codes import collection_code_of
from miniapps.payment.ledger import ledger_total, mismatched_accounts
from miniapps.payment.tables import Account, Payment, Transfer
from tests.e2e.processes import (
    RedisServer,
    access_token,
    fleet,
    postgres_url_or_skip,
    redis_server,
)
from tests.miniapps.payment.helpers import fund, residents, set_pin_of

__all__ = ["redis_server"]

PAYERS = 24
EACH = 4  # payments a payer sends at once: fewer than the PIN's tries, all counted at once
FEN = 100
# Payments hash a PIN each (about 35 ms): the limit that guards that is not what is tested.
UNLIMITED = {"YIMEN_RATE_PIN_PER_USER": "100000/m", "YIMEN_RATE_PIN_PER_ADDRESS": "100000/m"}


async def test_a_payment_cut_off_by_a_kill_is_whole_or_absent(
    settings: Settings, vault: Vault, redis_server: RedisServer, demo: None
) -> None:
    database_url = postgres_url_or_skip()
    payers = await residents(vault, PAYERS)
    for payer in payers:
        await fund(payer, 1_000_000)
        await set_pin_of(payer)
    merchant = await _merchant_id(vault)
    code = (await collection_code_of(merchant_id=merchant, vault=vault)).code
    tokens = [await access_token(settings, payer) for payer in payers]
    async with fleet(database_url, redis_server.url, UNLIMITED) as group:
        base = await group.api()
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            sent = [
                asyncio.ensure_future(
                    http.post(
                        "/v1/miniapps/payment/pay/collection-code",
                        json={"code": code, "amount_fen": FEN, "pin": "260417"},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                )
                for token in tokens
                for _ in range(EACH)
            ]
            await _until_some_paid()
            _kill_tree(group.processes[0].pid)
            answers = await asyncio.gather(*sent, return_exceptions=True)
    answered = [a for a in answers if isinstance(a, httpx.Response) and a.status_code == 201]
    cut_off = [a for a in answers if isinstance(a, BaseException)]
    assert cut_off, "the kill came after every payment had answered"
    paid = await Payment.select(Payment.id, Payment.transfer_id).where(Payment.status == "paid")
    assert len(answered) <= len(paid) < PAYERS * EACH
    assert all(row["transfer_id"] is not None for row in paid)
    transfers = await Transfer.count().where(Transfer.kind == "payment")
    assert transfers == len(paid)
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []
    holder = f"merchant:{merchant}"
    taken = await Account.select(Account.balance).where(Account.holder == holder)
    assert taken == [{"balance": FEN * len(paid)}]


def _kill_tree(pid: int) -> None:
    """SIGKILL the server and the workers it serves through, children first: no process
    of it gets to finish what it was doing."""
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for child in children:
        _kill_tree(int(child))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


async def _until_some_paid() -> None:
    """Wait until the first payments are committed, while the others still run."""
    for _ in range(3_000):
        if await Payment.count() >= 3:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no payment was made")


async def _merchant_id(vault: Vault) -> int:
    phone = await demo_user_with_role(Role.MERCHANT)
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    row = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup)
    return int(row[0]["id"])
