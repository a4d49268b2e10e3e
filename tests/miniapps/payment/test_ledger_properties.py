"""Random top-ups and payments, one at a time and in bursts at once, keep the ledger's
invariants: no wallet below zero, the ledger sums to zero, every balance equals its entries,
and each balance is what a plain model of the same operations says."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.kernel.db import fetch_rows
from backend.kernel.errors import Conflict
from miniapps.payment.ledger import (
    Leg,
    TransferKind,
    ledger_total,
    mismatched_accounts,
    open_account,
    post_transfer,
)

WALLETS, MERCHANTS = 3, 2
wallet = st.integers(0, WALLETS - 1)
merchant = st.integers(0, MERCHANTS - 1)
fen = st.integers(1, 10_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("top_up"), wallet, st.just(0), fen, st.just(1)),
        st.tuples(st.just("pay"), wallet, merchant, fen, st.just(1)),
        # Several payments of one wallet at once: exactly as many pass as it affords.
        st.tuples(st.just("burst"), wallet, merchant, fen, st.integers(2, 8)),
    ),
    min_size=1,
    max_size=25,
)


class Books:
    """The accounts of one example and what a plain model says they hold."""

    def __init__(self, clearing: int, wallets: list[int], merchants: list[int]) -> None:
        self.clearing, self.wallets, self.merchants = clearing, wallets, merchants
        self.expected = {account: 0 for account in [clearing, *wallets, *merchants]}

    async def top_up(self, w: int, amount: int) -> None:
        await post_transfer(
            kind=TransferKind.TOP_UP,
            legs=[Leg(self.clearing, -amount), Leg(self.wallets[w], amount)],
        )
        self.expected[self.clearing] -= amount
        self.expected[self.wallets[w]] += amount

    async def pay(self, w: int, m: int, amount: int, times: int) -> None:
        payer, payee = self.wallets[w], self.merchants[m]
        affordable = min(times, self.expected[payer] // amount)
        outcomes = await asyncio.gather(
            *(
                post_transfer(
                    kind=TransferKind.PAYMENT, legs=[Leg(payer, -amount), Leg(payee, amount)]
                )
                for _ in range(times)
            ),
            return_exceptions=True,
        )
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert all(isinstance(o, Conflict) for o in refused), refused
        assert times - len(refused) == affordable
        self.expected[payer] -= affordable * amount
        self.expected[payee] += affordable * amount


async def _books() -> Books:
    for table in ("payment_entry", "payment_transfer", "payment_account"):
        await fetch_rows(f"DELETE FROM {table}")
    clearing = await open_account("platform:top_up_clearing", overdraw=True)
    merchants = [await open_account(f"merchant:{100 + n}") for n in range(MERCHANTS)]
    wallets = [await open_account(f"wallet:{n}") for n in range(WALLETS)]
    return Books(clearing, wallets, merchants)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=operations)
async def test_any_mix_of_top_ups_and_payments_keeps_every_invariant(
    script: list[tuple[str, int, int, int, int]],
) -> None:
    books = await _books()
    for kind, w, m, amount, times in script:
        if kind == "top_up":
            await books.top_up(w, amount)
        else:
            await books.pay(w, m, amount, times)
    rows = await fetch_rows("SELECT id, balance FROM payment_account")
    balances = {int(r["id"]): int(r["balance"]) for r in rows}
    assert balances == books.expected
    assert all(balances[w] >= 0 for w in books.wallets)
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []
