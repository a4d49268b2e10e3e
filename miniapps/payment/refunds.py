"""Refunds (退款): a merchant gives back all or part of a payment, never more in all than
the payer paid. A payment a voucher paid part of is refunded whole or not at all, and the
voucher's part goes back to its pool with it.

The refund's amount is added to the payment's `refunded` in one conditional statement that
takes the payment's row lock and re-reads what was refunded, so two refunds at once that
each fit alone cannot both pass; the money moves back in the same transaction, as a
transfer that refers to the payment's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    Audience,
    Conflict,
    NotFound,
    Template,
    all_or_nothing,
    fetch_rows,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import Leg, TransferKind, account_of, post_transfer
from miniapps.payment.schemas import RefundView
from miniapps.payment.top_ups import WALLET_LINK, yuan
from miniapps.payment.vouchers import pool_holder
from miniapps.payment.wallets import merchant_holder, wallet_holder

REFUNDED = Template(
    key="payment.refunded",
    category="payment",
    titles={"zh-CN": "退款到账", "en": "Refund received"},
    bodies={"zh-CN": "商户退款 {yuan} 元,已退回钱包", "en": "{yuan} yuan refunded to your wallet"},
)


async def refund(
    *, merchant_id: int, payment_id: int, amount: int, key: str | None = None
) -> RefundView:
    """Give `amount` fen of the merchant's payment back to its payer's wallet. A refund
    named by `key` is made once: asked again, it is the refund made before."""
    now = utc_now()
    # A savepoint too, when the caller's transaction is open (a part's event handler): a
    # refund refused leaves none of its writes behind for the caller to commit.
    async with unit_of_work(), all_or_nothing():
        named = await _name(key, payment_id, amount, now) if key else None
        if key and named is None:
            return await _named_before(key, payment_id, amount)
        counted = await fetch_rows(
            "UPDATE payment_payment SET refunded = refunded + $3 WHERE id = $1"
            " AND merchant_id = $2 AND status = 'paid' AND refunded + $3 <= amount - subsidy"
            # A payment a voucher paid part of is refunded whole, or its voucher would pay
            # for what went back.
            " AND (subsidy = 0 OR (refunded = 0 AND $3 = amount - subsidy))"
            " RETURNING payer_id, merchant_id, transfer_id, refunded, amount, subsidy,"
            " voucher_id",
            payment_id,
            merchant_id,
            amount,
        )
        if not counted:
            await _why_not(payment_id, merchant_id, amount)
        payer_id, refunded = int(counted[0]["payer_id"]), int(counted[0]["refunded"])
        merchant = await account_of(merchant_holder(merchant_id))
        wallet = await account_of(wallet_holder(payer_id))
        if merchant is None or wallet is None:
            raise Conflict(PaymentProblem.INSUFFICIENT_FUNDS)
        legs = [Leg(merchant, -amount), Leg(wallet, amount), *await _subsidy_back(counted[0])]
        posted = await post_transfer(
            kind=TransferKind.REFUND, legs=legs, refers_to=int(counted[0]["transfer_id"])
        )
        rows = (
            await fetch_rows(
                "UPDATE payment_refund SET transfer_id = $2 WHERE id = $1 RETURNING id",
                named,
                posted.transfer_id,
            )
            if named
            else await fetch_rows(
                "INSERT INTO payment_refund (payment_id, amount, transfer_id, created_at)"
                " VALUES ($1, $2, $3, $4) RETURNING id",
                payment_id,
                amount,
                posted.transfer_id,
                now,
            )
        )
        await notify(
            audience=Audience.users(payer_id),
            template=REFUNDED,
            data={"yuan": yuan(amount)},
            source="payment",
            deep_link=WALLET_LINK,
        )
    return RefundView(
        id=int(rows[0]["id"]),
        payment_id=payment_id,
        amount_fen=amount,
        refunded_fen=refunded,
        created_at=now,
    )


async def _name(key: str, payment_id: int, amount: int, now: dt.datetime) -> int | None:
    """The refund's row under `key`, written first (its transfer follows in the same unit);
    None if the key names a refund already. Of two at once, the second waits on the key's
    unique index and then finds the first's."""
    rows = await fetch_rows(
        "INSERT INTO payment_refund (payment_id, amount, transfer_id, created_at, refund_key)"
        " VALUES ($1, $2, 0, $3, $4) ON CONFLICT (refund_key) DO NOTHING RETURNING id",
        payment_id,
        amount,
        now,
        key,
    )
    return int(rows[0]["id"]) if rows else None


async def _named_before(key: str, payment_id: int, amount: int) -> RefundView:
    rows = await fetch_rows(
        "SELECT r.id, r.payment_id, r.amount, r.created_at, p.refunded FROM payment_refund r"
        " JOIN payment_payment p ON p.id = r.payment_id WHERE r.refund_key = $1",
        key,
    )
    row = rows[0]
    if (int(row["payment_id"]), int(row["amount"])) != (payment_id, amount):
        raise Conflict(PaymentProblem.REFUND_KEY_TAKEN)
    return RefundView(
        id=int(row["id"]),
        payment_id=payment_id,
        amount_fen=amount,
        refunded_fen=int(row["refunded"]),
        created_at=row["created_at"],
    )


async def _subsidy_back(payment: Mapping[str, Any]) -> list[Leg]:
    """A voucher's part goes back from the merchant to its pool with the refund (which is
    of all the payer paid): the sale is undone, and so is the subsidy (the voucher stays
    spent)."""
    subsidy = int(payment["subsidy"])
    if not subsidy:
        return []
    rows = await fetch_rows(
        "SELECT campaign_id FROM payment_voucher WHERE id = $1", payment["voucher_id"]
    )
    pool = await account_of(pool_holder(int(rows[0]["campaign_id"])))
    merchant = await account_of(merchant_holder(int(payment["merchant_id"])))
    if pool is None or merchant is None:
        raise Conflict(PaymentProblem.INSUFFICIENT_FUNDS)
    return [Leg(merchant, -subsidy), Leg(pool, subsidy)]


async def _why_not(payment_id: int, merchant_id: int, amount: int) -> None:
    rows = await fetch_rows(
        "SELECT status, amount, subsidy, refunded FROM payment_payment"
        " WHERE id = $1 AND merchant_id = $2",
        payment_id,
        merchant_id,
    )
    if not rows:
        raise NotFound(PaymentProblem.PAYMENT_NOT_FOUND)
    if rows[0]["status"] != "paid":
        raise Conflict(PaymentProblem.PAYMENT_NOT_REFUNDABLE)
    payment = rows[0]
    left = int(payment["amount"]) - int(payment["subsidy"]) - int(payment["refunded"])
    if amount <= left and int(payment["subsidy"]):
        raise Conflict(PaymentProblem.VOUCHER_PAYMENT_REFUNDED_WHOLE)
    raise Conflict(PaymentProblem.REFUND_EXCEEDS_PAYMENT)
