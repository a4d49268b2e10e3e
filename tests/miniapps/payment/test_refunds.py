"""Refunds: all or part of a payment back to the payer's wallet, never more in all than was
paid, however many refunds race; each one once, whatever the retries."""

from __future__ import annotations

import asyncio

import pytest

from backend.kernel.roles import Role
from miniapps.payment.ledger import ledger_total, mismatched_accounts
from miniapps.payment.payments import Method, pay
from miniapps.payment.refunds import refund
from miniapps.payment.tables import Payment, Refund, Transfer
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import APP, fund, money_rows, user_id_of, wallet_balance


async def _paid(client: Client, token_for: TokenFor, fen: int = 1_000) -> tuple[str, str, int]:
    """A payer who paid a merchant `fen` from a wallet of 5,000: both tokens, the payment."""
    payer = await token_for(Role.RESIDENT)
    payer_id = await user_id_of(client, payer)
    await fund(payer_id, 5_000)
    merchant = await token_for(Role.MERCHANT)
    payment = await pay(
        payer_id=payer_id,
        merchant_id=await user_id_of(client, merchant),
        amount=fen,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    return payer, merchant, payment.id


async def _refund(
    client: Client, merchant: str, payment_id: int, fen: object, key: str | None = None
) -> object:
    headers = bearer(merchant) | ({"Idempotency-Key": key} if key else {})
    return await client.post(
        f"{APP}/payments/{payment_id}/refunds", json={"amount_fen": fen}, headers=headers
    )


async def test_parts_are_refunded_up_to_what_was_paid(client: Client, token_for: TokenFor) -> None:
    payer, merchant, payment_id = await _paid(client, token_for)
    first = await _refund(client, merchant, payment_id, 400)
    assert first.status_code == 201, first.text  # type: ignore[attr-defined]
    assert first.json()["refunded_fen"] == 400  # type: ignore[attr-defined]
    rest = await _refund(client, merchant, payment_id, 600)
    assert rest.json()["refunded_fen"] == 1_000  # type: ignore[attr-defined]
    over = await _refund(client, merchant, payment_id, 1)
    assert over.status_code == 409  # type: ignore[attr-defined]
    assert over.json()["code"] == "refund_exceeds_payment"  # type: ignore[attr-defined]
    assert await wallet_balance(client, payer) == 5_000
    seen = await client.get(f"{APP}/payments/{payment_id}", headers=bearer(payer))
    assert seen.json()["refunded_fen"] == 1_000
    refers = {row["refers_to"] for row in await Transfer.select().where(Transfer.kind == "refund")}
    paid_by = await Payment.select(Payment.transfer_id).where(Payment.id == payment_id).first()
    assert paid_by is not None
    assert refers == {paid_by["transfer_id"]}
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_refunds_at_once_never_add_up_past_the_payment(
    client: Client, token_for: TokenFor
) -> None:
    """Ten refunds of 300 at once, below the HTTP layer so their transactions overlap, of a
    payment of 1,000: three pass."""
    payer, merchant, payment_id = await _paid(client, token_for)
    merchant_id = await user_id_of(client, merchant)
    racing = await asyncio.gather(
        *(refund(merchant_id=merchant_id, payment_id=payment_id, amount=300) for _ in range(10)),
        return_exceptions=True,
    )
    given = [r for r in racing if not isinstance(r, BaseException)]
    refused = {getattr(r, "code", r) for r in racing if isinstance(r, BaseException)}
    assert len(given) == 3
    assert refused == {"refund_exceeds_payment"}
    assert await Refund.count() == 3
    assert await wallet_balance(client, payer) == 4_000 + 900
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_a_retried_refund_gives_back_once_and_answers_the_same_bytes(
    client: Client, token_for: TokenFor
) -> None:
    payer, merchant, payment_id = await _paid(client, token_for)
    first = await _refund(client, merchant, payment_id, 500, key="refund-1")
    again = await _refund(client, merchant, payment_id, 500, key="refund-1")
    assert again.content == first.content  # type: ignore[attr-defined]
    assert await wallet_balance(client, payer) == 4_500
    other = await _refund(client, merchant, payment_id, 400, key="refund-1")
    assert other.status_code == 422  # type: ignore[attr-defined]
    assert await wallet_balance(client, payer) == 4_500


async def test_only_the_merchant_who_collected_refunds(client: Client, token_for: TokenFor) -> None:
    """The payment is another's (paid to the grid worker's account): the merchant finds it
    not found; the payer, no merchant, may not refund at all."""
    payer = await token_for(Role.RESIDENT)
    payer_id = await user_id_of(client, payer)
    await fund(payer_id, 5_000)
    another = await pay(
        payer_id=payer_id,
        merchant_id=await user_id_of(client, await token_for(Role.GRID_WORKER)),
        amount=1_000,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    before = await money_rows()
    by_merchant = await _refund(client, await token_for(Role.MERCHANT), another.id, 100)
    assert by_merchant.status_code == 404  # type: ignore[attr-defined]
    assert by_merchant.json()["code"] == "payment_not_found"  # type: ignore[attr-defined]
    by_payer = await _refund(client, payer, another.id, 100)
    assert by_payer.status_code == 403  # type: ignore[attr-defined]
    assert await money_rows() == before


@pytest.mark.parametrize("fen", [0, -100, 1.5, "100", None, 500_001])
async def test_an_amount_that_is_no_whole_positive_fen_is_a_400(
    client: Client, token_for: TokenFor, fen: object
) -> None:
    _, merchant, payment_id = await _paid(client, token_for)
    before = await money_rows()
    answer = await _refund(client, merchant, payment_id, fen)
    assert answer.status_code == 400, answer.text  # type: ignore[attr-defined]
    assert await money_rows() == before


async def test_a_payment_that_awaits_the_payer_is_not_refunded(
    client: Client, token_for: TokenFor
) -> None:
    payer = await token_for(Role.RESIDENT)
    payer_id = await user_id_of(client, payer)
    await fund(payer_id, 500_000)
    merchant = await token_for(Role.MERCHANT)
    waiting = await pay(
        payer_id=payer_id,
        merchant_id=await user_id_of(client, merchant),
        amount=100_001,
        method=Method.PAYER_CODE,
        without_pin=True,
    )
    assert waiting.status == "awaiting_payer"
    answer = await _refund(client, merchant, waiting.id, 100)
    assert answer.json()["code"] == "payment_not_refundable"  # type: ignore[attr-defined]
