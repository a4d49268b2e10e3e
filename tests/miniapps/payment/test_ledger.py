"""The ledger: transfers balance, balances follow their entries, and no wallet goes below
zero, however many payments race for it (on both engines)."""

from __future__ import annotations

import asyncio

import pytest

from backend.kernel.errors import Conflict
from backend.kernel.events import unit_of_work
from miniapps.payment.ledger import (
    Leg,
    TransferKind,
    Unbalanced,
    ledger_total,
    mismatched_accounts,
    open_account,
    post_transfer,
)
from miniapps.payment.tables import Account, Entry, Transfer

PRICE = 250  # fen


async def _funded(fen: int) -> tuple[int, int, int]:
    """A clearing account, a wallet holding `fen` paid in through it, and a merchant. The
    merchant's account comes before the wallet's, so that a payment's credit is written
    before its debit is refused: what the refusal must take back."""
    clearing = await open_account("platform:top_up_clearing", overdraw=True)
    merchant = await open_account("merchant:2")
    wallet = await open_account("wallet:1")
    await post_transfer(kind=TransferKind.TOP_UP, legs=[Leg(clearing, -fen), Leg(wallet, fen)])
    return clearing, wallet, merchant


async def _counts() -> tuple[int, int]:
    return await Transfer.count(), await Entry.count()


async def _balance(account: int) -> int:
    row = await Account.select(Account.balance).where(Account.id == account).first()
    assert row is not None
    return int(row["balance"])


async def test_a_transfer_writes_balancing_entries_and_moves_each_balance() -> None:
    clearing, wallet, merchant = await _funded(1_000)
    posted = await post_transfer(
        kind=TransferKind.PAYMENT, legs=[Leg(wallet, -PRICE), Leg(merchant, PRICE)], memo="早餐"
    )
    assert posted.balances == {wallet: 1_000 - PRICE, merchant: PRICE}
    assert await _balance(clearing) == -1_000
    entries = await Entry.select().where(Entry.transfer_id == posted.transfer_id)
    assert sorted((e["account_id"], e["amount"]) for e in entries) == [
        (merchant, PRICE),
        (wallet, -PRICE),
    ]
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_a_refund_is_a_new_transfer_that_names_the_original() -> None:
    _, wallet, merchant = await _funded(1_000)
    paid = await post_transfer(
        kind=TransferKind.PAYMENT, legs=[Leg(wallet, -PRICE), Leg(merchant, PRICE)]
    )
    refund = await post_transfer(
        kind=TransferKind.REFUND,
        legs=[Leg(merchant, -100), Leg(wallet, 100)],
        refers_to=paid.transfer_id,
    )
    assert refund.balances == {wallet: 1_000 - PRICE + 100, merchant: PRICE - 100}
    original = await Transfer.select().where(Transfer.id == paid.transfer_id).first()
    assert original is not None
    assert original["kind"] == "payment"  # never rewritten
    assert await Entry.count().where(Entry.transfer_id == paid.transfer_id) == 2


@pytest.mark.parametrize(
    "legs",
    [
        pytest.param([Leg(1, -100), Leg(2, 99)], id="not-summing-to-zero"),
        pytest.param([Leg(1, 0), Leg(2, 0)], id="zero"),
        pytest.param([Leg(1, -1.5), Leg(2, 1.5)], id="fractional"),  # type: ignore[arg-type]
        pytest.param([Leg(1, True), Leg(2, -1)], id="boolean"),
        pytest.param([Leg(1, -100), Leg(1, 100)], id="to-itself"),
        pytest.param([], id="nothing"),
        pytest.param([Leg(1, -(10**12 + 1)), Leg(2, 10**12 + 1)], id="beyond-the-most"),
        pytest.param([Leg(1, -100), Leg(404, 100)], id="to-no-account"),
    ],
)
async def test_a_transfer_that_does_not_balance_writes_nothing(legs: list[Leg]) -> None:
    clearing, _, _ = await _funded(1_000)
    legs = [Leg(clearing, leg.amount) if leg.account_id == 1 else leg for leg in legs]
    before = await _counts()
    with pytest.raises(Unbalanced):
        await post_transfer(kind=TransferKind.CORRECTION, legs=legs)
    assert await _counts() == before


@pytest.mark.parametrize(
    ("kind", "refers_to", "memo"),
    [
        pytest.param(TransferKind.REFUND, None, "", id="refund-of-nothing"),
        pytest.param(TransferKind.REFUND, 10**9, "", id="refund-of-no-transfer"),
        pytest.param(TransferKind.PAYMENT, 1, "", id="payment-naming-another"),
        pytest.param(TransferKind.PAYMENT, None, "长" * 201, id="memo-too-long"),
    ],
)
async def test_a_transfer_that_names_no_original_it_mends_writes_nothing(
    kind: TransferKind, refers_to: int | None, memo: str
) -> None:
    _, wallet, merchant = await _funded(1_000)
    before = await _counts()
    with pytest.raises(Unbalanced):
        await post_transfer(
            kind=kind, legs=[Leg(merchant, -1), Leg(wallet, 1)], refers_to=refers_to, memo=memo
        )
    assert await _counts() == before


async def test_only_a_platform_account_may_overdraw_and_never_changes_its_leave() -> None:
    with pytest.raises(Unbalanced):
        await open_account("wallet:3", overdraw=True)
    await open_account("platform:fees")
    with pytest.raises(Unbalanced):
        await open_account("platform:fees", overdraw=True)


async def test_a_refused_transfer_inside_a_callers_unit_of_work_leaves_none_of_its_writes() -> None:
    _, wallet, merchant = await _funded(PRICE - 1)
    before = await _counts()
    async with unit_of_work():
        with pytest.raises(Conflict):
            await post_transfer(
                kind=TransferKind.PAYMENT, legs=[Leg(wallet, -PRICE), Leg(merchant, PRICE)]
            )
        # The caller goes on (another means of payment, say) and commits.
    assert await _counts() == before
    assert await _balance(merchant) == 0
    assert await mismatched_accounts() == []


async def test_a_payment_beyond_the_balance_is_refused_and_writes_nothing() -> None:
    _, wallet, merchant = await _funded(PRICE - 1)
    before = await _counts()
    with pytest.raises(Conflict) as refused:
        await post_transfer(
            kind=TransferKind.PAYMENT, legs=[Leg(wallet, -PRICE), Leg(merchant, PRICE)]
        )
    assert refused.value.code == "insufficient_funds"
    assert await _counts() == before
    assert await _balance(wallet) == PRICE - 1
    assert await _balance(merchant) == 0


async def test_of_200_payments_at_once_against_a_wallet_that_affords_100_exactly_100_pass() -> None:
    _, wallet, merchant = await _funded(100 * PRICE)

    async def pay() -> None:
        await post_transfer(
            kind=TransferKind.PAYMENT, legs=[Leg(wallet, -PRICE), Leg(merchant, PRICE)]
        )

    outcomes = await asyncio.gather(*(pay() for _ in range(200)), return_exceptions=True)
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == 100
    assert {getattr(o, "code", o) for o in refused} == {"insufficient_funds"}
    assert await _balance(wallet) == 0
    assert await _balance(merchant) == 100 * PRICE
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []
    assert await Transfer.count() == 1 + 100


async def test_an_account_is_opened_once_whoever_asks_first() -> None:
    ids = await asyncio.gather(*(open_account("wallet:9") for _ in range(10)))
    assert len(set(ids)) == 1
    assert await Account.count() == 1
