"""Another part charges a resident through the host's cashier, never through this package:
the charge waits for the payer's PIN, is made once per reference, and its part hears how
it ended; a part's refunds are made once per key and never exceed what was paid."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from litestar import Litestar

from backend.kernel.events.tables import OutboxEvent
from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.sdk import (
    CHARGE_FINISHED,
    Cashier,
    ChargeStatus,
    Conflict,
    NotFound,
    Unprocessable,
    fetch_rows,
    unit_of_work,
)
from miniapps.payment.ledger import account_of, ledger_total, mismatched_accounts
from miniapps.payment.payments import close_unconfirmed_payments
from miniapps.payment.tables import Payment, Refund
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import (
    APP,
    fund,
    money_rows,
    set_pin,
    user_id_of,
    wallet_balance,
)
from tests.support import notices_recorded

PART = "gov_services"  # any installed part
MEAL = 1_800  # fen


@pytest.fixture
async def cashier(app: Litestar, client: Client) -> Cashier:
    return services_of(app).cashier


async def _sides(client: Client, token_for: TokenFor) -> tuple[str, int, str, int]:
    payer = await token_for(Role.RESIDENT)
    payer_id = await user_id_of(client, payer)
    await fund(payer_id, 10_000)
    await set_pin(client, payer)
    merchant = await token_for(Role.MERCHANT)
    return payer, payer_id, merchant, await user_id_of(client, merchant)


async def _charge(cashier: Cashier, payer_id: int, merchant_id: int, reference: str = "meal-1"):  # type: ignore[no-untyped-def]
    return await cashier.request_charge(
        part=PART,
        reference=reference,
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount_fen=MEAL,
        purpose="助餐点午餐",
        expires_in=dt.timedelta(minutes=30),
    )


async def _confirm(client: Client, payer: str, payment_id: int) -> object:
    return await client.post(
        f"{APP}/payments/{payment_id}/confirm", json={"pin": "260417"}, headers=bearer(payer)
    )


async def _finished() -> list[dict[str, object]]:
    rows = await OutboxEvent.select(OutboxEvent.payload).where(OutboxEvent.name == CHARGE_FINISHED)
    payloads = [r["payload"] for r in rows]
    return [json.loads(p) if isinstance(p, str) else p for p in payloads]


async def test_a_charge_waits_for_the_payers_pin_and_its_part_hears_it_was_paid(
    client: Client, token_for: TokenFor, cashier: Cashier
) -> None:
    payer, payer_id, merchant, merchant_id = await _sides(client, token_for)
    charge = await _charge(cashier, payer_id, merchant_id)
    assert (charge.status, charge.amount_fen, charge.reference) == (
        ChargeStatus.AWAITING_PAYER,
        MEAL,
        "meal-1",
    )
    assert charge.expires_at is not None
    assert await wallet_balance(client, payer) == 10_000
    await notices_recorded()
    [asked] = await InboxItem.select(InboxItem.body).where(InboxItem.deep_link == charge.deep_link)
    assert "助餐点午餐" in asked["body"]
    assert "18.00" in asked["body"]
    assert await _finished() == []
    paid = await _confirm(client, payer, charge.payment_id)
    assert paid.status_code == 200, paid.text  # type: ignore[attr-defined]
    assert await wallet_balance(client, payer) == 10_000 - MEAL
    seen = await cashier.charge_of(part=PART, reference="meal-1")
    assert seen is not None
    assert seen.status is ChargeStatus.PAID
    assert await _finished() == [
        {
            "payment_id": charge.payment_id,
            "part": PART,
            "reference": "meal-1",
            "payer_id": payer_id,
            "amount_fen": MEAL,
            "status": "paid",
        }
    ]
    by_merchant = await client.get(f"{APP}/payments/{charge.payment_id}", headers=bearer(merchant))
    assert by_merchant.json()["method"] == "charge"
    assert by_merchant.json()["purpose"] == "助餐点午餐"


async def test_asked_again_it_is_the_same_charge_and_another_one_is_refused(
    client: Client, token_for: TokenFor, cashier: Cashier
) -> None:
    _, payer_id, _, merchant_id = await _sides(client, token_for)
    charges = await asyncio.gather(*(_charge(cashier, payer_id, merchant_id) for _ in range(5)))
    assert len({c.payment_id for c in charges}) == 1
    assert await Payment.count() == 1
    before = await money_rows()
    with pytest.raises(Conflict) as taken:
        await cashier.request_charge(
            part=PART,
            reference="meal-1",
            payer_id=payer_id,
            merchant_id=merchant_id,
            amount_fen=MEAL + 1,
            purpose="助餐点午餐",
            expires_in=dt.timedelta(minutes=30),
        )
    assert taken.value.code == "charge_reference_taken"
    assert await money_rows() == before
    # Another part's reference of the same name is its own.
    other = await cashier.request_charge(
        part="health_code",
        reference="meal-1",
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount_fen=MEAL,
        purpose="办事服务费",
        expires_in=dt.timedelta(minutes=30),
    )
    assert other.payment_id != charges[0].payment_id


@pytest.mark.parametrize(
    ("amount", "expires_in"),
    [
        (0, dt.timedelta(minutes=30)),
        (-1, dt.timedelta(minutes=30)),
        (500_001, dt.timedelta(minutes=30)),
        (MEAL, dt.timedelta(seconds=59)),
        (MEAL, dt.timedelta(hours=24, seconds=1)),
    ],
)
async def test_a_charge_out_of_bounds_is_refused_and_writes_nothing(
    client: Client, token_for: TokenFor, cashier: Cashier, amount: int, expires_in: dt.timedelta
) -> None:
    _, payer_id, _, merchant_id = await _sides(client, token_for)
    before = await Payment.count()
    with pytest.raises(Unprocessable) as refused:
        await cashier.request_charge(
            part=PART,
            reference="meal-1",
            payer_id=payer_id,
            merchant_id=merchant_id,
            amount_fen=amount,
            purpose="助餐点午餐",
            expires_in=expires_in,
        )
    assert refused.value.code == "charge_invalid"
    with pytest.raises(Conflict):
        await _charge(cashier, payer_id, payer_id, reference="to-self")
    assert await Payment.count() == before


async def test_a_charge_to_someone_who_is_no_merchant_is_refused_and_writes_nothing(
    client: Client, token_for: TokenFor, cashier: Cashier
) -> None:
    _, payer_id, _, _ = await _sides(client, token_for)
    neighbour = await user_id_of(client, await token_for(Role.GRID_WORKER))
    before = await money_rows()
    with pytest.raises(Unprocessable) as refused:
        await _charge(cashier, payer_id, neighbour, reference="to-a-neighbour")
    assert refused.value.code == "charge_payee_not_merchant"
    assert await money_rows() == before
    assert await account_of(f"merchant:{neighbour}") is None


async def test_a_cancelled_or_expired_charge_closes_unpaid_and_its_part_hears_it(
    client: Client, token_for: TokenFor, cashier: Cashier
) -> None:
    payer, payer_id, _, merchant_id = await _sides(client, token_for)
    cancelled = await _charge(cashier, payer_id, merchant_id, reference="meal-1")
    expiring = await _charge(cashier, payer_id, merchant_id, reference="meal-2")
    closed = await cashier.cancel_charge(part=PART, reference="meal-1")
    assert closed.status is ChargeStatus.CLOSED
    assert (await cashier.cancel_charge(part=PART, reference="meal-1")).status is (
        ChargeStatus.CLOSED
    )
    late = await _confirm(client, payer, cancelled.payment_id)
    assert late.json()["code"] == "payment_not_awaiting"  # type: ignore[attr-defined]
    await Payment.update(
        {Payment.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(Payment.id == expiring.payment_id)
    assert await close_unconfirmed_payments() == 1
    assert [(e["reference"], e["status"]) for e in await _finished()] == [
        ("meal-1", "closed"),
        ("meal-2", "closed"),
    ]
    assert await wallet_balance(client, payer) == 10_000
    with pytest.raises(NotFound):
        await cashier.cancel_charge(part=PART, reference="no-such-order")
    assert await cashier.charge_of(part=PART, reference="no-such-order") is None


async def test_a_paid_charge_is_not_cancelled_but_refunded_once_per_key(
    client: Client, token_for: TokenFor, cashier: Cashier
) -> None:
    payer, payer_id, _, merchant_id = await _sides(client, token_for)
    charge = await _charge(cashier, payer_id, merchant_id)
    await _confirm(client, payer, charge.payment_id)
    with pytest.raises(Conflict) as paid:
        await cashier.cancel_charge(part=PART, reference="meal-1")
    assert paid.value.code == "payment_not_awaiting"
    refunds = await asyncio.gather(
        *(
            cashier.refund_charge(part=PART, reference="meal-1", refund_key="r-1", amount_fen=800)
            for _ in range(4)
        )
    )
    assert {r.refunded_fen for r in refunds} == {800}
    assert await Refund.count() == 1
    assert await wallet_balance(client, payer) == 10_000 - MEAL + 800
    with pytest.raises(Conflict) as other_amount:
        await cashier.refund_charge(part=PART, reference="meal-1", refund_key="r-1", amount_fen=1)
    assert other_amount.value.code == "refund_key_taken"
    # Two refunds at once under their own keys that each fit alone: one passes.
    outcomes = await asyncio.gather(
        cashier.refund_charge(part=PART, reference="meal-1", refund_key="r-2", amount_fen=900),
        cashier.refund_charge(part=PART, reference="meal-1", refund_key="r-3", amount_fen=900),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 1
    assert refused[0].code == "refund_exceeds_payment"
    assert await Refund.count() == 2
    assert await wallet_balance(client, payer) == 10_000 - MEAL + 1_700
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_a_part_names_its_charges_within_bounds(
    client: Client, token_for: TokenFor, cashier: Cashier
) -> None:
    _, payer_id, _, merchant_id = await _sides(client, token_for)
    for part, reference in (("Gov", "x"), ("no_such_part", "x"), (PART, ""), (PART, "x" * 81)):
        with pytest.raises(ValueError, match=r"part's id|printable"):
            await cashier.request_charge(
                part=part,
                reference=reference,
                payer_id=payer_id,
                merchant_id=merchant_id,
                amount_fen=MEAL,
                purpose="助餐",
                expires_in=dt.timedelta(minutes=5),
            )
    assert await Payment.count() == 0


async def test_a_refund_refused_inside_the_parts_own_transaction_leaves_nothing_in_it(
    client: Client, token_for: TokenFor, cashier: Cashier
) -> None:
    payer, payer_id, _, merchant_id = await _sides(client, token_for)
    charge = await _charge(cashier, payer_id, merchant_id)
    await _confirm(client, payer, charge.payment_id)
    before = await money_rows()
    async with unit_of_work():
        # Named (its row written) before it is found to be more than was paid.
        with pytest.raises(Conflict):
            await cashier.refund_charge(
                part=PART, reference="meal-1", refund_key="r-1", amount_fen=MEAL + 1
            )
        await fetch_rows("SELECT 1")  # the part goes on and commits its own writes
    assert await money_rows() == before
    again = await cashier.charge_of(part=PART, reference="meal-1")
    assert again is not None
    assert again.refunded_fen == 0
    assert await Refund.count() == 0
