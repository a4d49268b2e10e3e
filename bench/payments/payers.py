"""The payers and merchants of bench/payments, and the codes the payers' phones show.

Seeded in seconds, in one transaction: the accounts by the database (bench/people.py), each
payer's phone enrolled as `POST /payer-code/device` enrols it (a secret sealed for the
payment app, a payer number of its own) but as rows sent together, and each wallet funded
by one top-up transfer of the ledger that credits every wallet the same amount (a transfer
per wallet would take most of the seeding's time, and a transfer of many legs is posted,
balanced and checked as any other)."""

from __future__ import annotations

import base64
import datetime as dt
import random
import secrets
import time
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import people

PAYER_HOME = "zz/gx/fengyang/c03/g07"
MERCHANT_SCOPE = "zz/gx/fengyang/c03"  # where the demo's merchant trades
FUND = 100_000  # fen in each wallet: 1,000 yuan, far more than a run takes from one


class Phone(NamedTuple):
    """A payer's enrolled phone, as it keeps what enrolment showed it."""

    user_id: int
    number: str
    secret: bytes


async def seed(payers: int, merchants: int) -> tuple[list[Phone], list[int]]:
    """The payers' phones, and the merchants' ids."""
    from backend.kernel.db import fetch_rows, insert_rows, transaction
    from backend.kernel.settings import get_settings
    from backend.kernel.vault import vault_for
    from miniapps.payment.collecting import SEAL
    from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
    from miniapps.payment.payer_codes import PAYER_NUMBER_DIGITS
    from miniapps.payment.tables import PayerDevice

    vault = vault_for(get_settings().secret)
    now = dt.datetime.now(dt.UTC)

    def sealed(phone: Phone) -> str:
        return vault.seal(base64.b64encode(phone.secret).decode(), purpose=SEAL)

    async with transaction():
        payer_ids = await people.accounts("payer", payers, PAYER_HOME)
        merchant_ids = await people.accounts("merchant", merchants, MERCHANT_SCOPE)
        await people.give_role(merchant_ids, "merchant", MERCHANT_SCOPE)
        taken = {
            str(row["payer_number"])
            for row in await fetch_rows("SELECT payer_number FROM payment_payer_device")
        }
        numbers: set[str] = set()
        while len(numbers) < payers:
            number = str(random.randrange(10**PAYER_NUMBER_DIGITS)).zfill(PAYER_NUMBER_DIGITS)
            if number not in taken:
                numbers.add(number)
        phones = [
            Phone(user_id, number, secrets.token_bytes(32))
            for user_id, number in zip(payer_ids, sorted(numbers), strict=True)
        ]
        await insert_rows(
            PayerDevice,
            [
                PayerDevice.user_id,
                PayerDevice.payer_number,
                PayerDevice.secret_sealed,
                PayerDevice.enrolled_at,
                PayerDevice.failures,
                PayerDevice.failing_since,
            ],
            [[p.user_id, p.number, sealed(p), now, 0, None] for p in phones],
        )
        wallets = await fetch_rows(
            "INSERT INTO payment_account (holder, balance, overdraw, opened_at)"
            " SELECT 'wallet:' || CAST(id AS TEXT), 0, $1, $2 FROM user_account"
            " WHERE phone_lookup LIKE 'bench-payer-%' RETURNING id",
            False,
            now,
        )
        clearing = await open_account("platform:top_up_clearing", overdraw=True)
        await post_transfer(
            kind=TransferKind.TOP_UP,
            legs=[Leg(clearing, -FUND * len(wallets))]
            + [Leg(int(row["id"]), FUND) for row in wallets],
            memo="bench/payments: every payer's top-up",
        )
    return phones, merchant_ids


class Codes:
    """The codes the payers' phones show, each (payer, step) once over the whole run, as a
    code is good once: for a round, those of the steps whose codes the server takes for all
    of it (its own step, the one before and the one after), one payer after another, so
    that the payments at once are of different payers."""

    def __init__(self, phones: Sequence[Phone]) -> None:
        self._phones = phones
        self._used: set[tuple[int, int]] = set()
        self.ran_out = False

    def for_round(self, lasting: float) -> Iterator[tuple[Phone, str]]:
        """Codes good from now for `lasting` seconds, made as they are taken."""
        from miniapps.payment.payer_codes import SKEW_STEPS, payer_code, step_at

        now = time.time()
        for step in range(step_at(now + lasting) - SKEW_STEPS, step_at(now) + SKEW_STEPS + 1):
            for index, phone in enumerate(self._phones):
                if (index, step) not in self._used:
                    self._used.add((index, step))
                    yield phone, payer_code(phone.secret, phone.number, step)
        self.ran_out = True

    def used(self) -> int:
        return len(self._used)
