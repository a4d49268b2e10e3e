"""Payments from a resident's wallet to a merchant, however made (a payer code the merchant
scans, the merchant's collection code the resident scans), and the payer's confirmation of
one that went past the limits of payment without a PIN.

A payment is one ledger transfer and its record, in one transaction. One without a PIN
that would go past `NO_PIN_PER_PAYMENT`, or past `NO_PIN_PER_DAY` of the payer's city day,
moves no money: it waits for the payer (`awaiting_payer`), who is pushed to confirm it with
their PIN within `AWAIT_FOR`; past that it is closed. The day's sum is read under the row
locks of every account the payment moves (wallet, merchant, a voucher's pool), in id
order as every transfer takes them, so payments at once from several processes count in
turn (SQLite's write transactions run one at a time anyway). A voucher is spent under
those locks before the limits are read, so they count what the wallet really pays.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    CHARGE_FINISHED,
    Audience,
    ChargeFinished,
    ChargeStatus,
    Conflict,
    NotFound,
    Template,
    emit,
    fetch_rows,
    is_postgres,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.payment.days import day_start
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import (
    Leg,
    TransferKind,
    account_of,
    accounts_of,
    open_account,
    post_transfer,
)
from miniapps.payment.pins import check_pin
from miniapps.payment.schemas import PaymentView
from miniapps.payment.top_ups import WALLET_LINK, yuan
from miniapps.payment.vouchers import Spendable, best_voucher, spend
from miniapps.payment.wallets import merchant_holder, wallet_holder

NO_PIN_PER_PAYMENT = 100_000  # fen: 1,000 yuan
NO_PIN_PER_DAY = 200_000  # fen: 2,000 yuan
AWAIT_FOR = dt.timedelta(minutes=2)
PAID = Template(
    key="payment.paid",
    category="payment",
    titles={"zh-CN": "付款成功", "en": "Payment made"},
    bodies={"zh-CN": "已向商户付款 {yuan} 元", "en": "{yuan} yuan paid to a merchant"},
)
COLLECTED = Template(
    key="payment.collected",
    category="payment",
    titles={"zh-CN": "收款到账", "en": "Payment received"},
    bodies={"zh-CN": "收款 {yuan} 元", "en": "{yuan} yuan received"},
)
CONFIRM = Template(
    key="payment.confirm",
    category="payment",
    titles={"zh-CN": "请确认付款", "en": "Confirm a payment"},
    bodies={
        "zh-CN": "商户请求收款 {yuan} 元,请在 2 分钟内输入支付密码确认",
        "en": "A merchant asks for {yuan} yuan: confirm with your PIN within 2 minutes",
    },
)


class Method(enum.StrEnum):
    PAYER_CODE = "payer_code"  # 被扫: the merchant scanned the payer's code
    COLLECTION_CODE = "collection_code"  # 主扫: the payer scanned the merchant's code
    CHARGE = "charge"  # another part asked for it (`backend.sdk.Cashier`)


class Status(enum.StrEnum):
    PAID = "paid"
    AWAITING_PAYER = "awaiting_payer"
    CLOSED = "closed"


async def pay(
    *, payer_id: int, merchant_id: int, amount: int, method: Method, without_pin: bool
) -> PaymentView:
    """Move `amount` fen from the payer's wallet to the merchant, the payer's best voucher
    for it paying its part; or, for a payment without a PIN past its limits, leave it
    awaiting the payer."""
    try:
        return await _pay_now(payer_id, merchant_id, amount, method, without_pin=without_pin)
    except _AwaitPayer:
        async with unit_of_work():
            return await _await_payer(payer_id, merchant_id, amount, method)


async def _pay_now(
    payer_id: int, merchant_id: int, amount: int, method: Method, *, without_pin: bool
) -> PaymentView:
    if payer_id == merchant_id:
        # A merchant paying themselves would turn vouchers and limits into cash.
        raise Conflict(PaymentProblem.PAYMENT_TO_SELF)
    wallet, merchant = await _accounts(payer_id, merchant_id)
    async with unit_of_work():
        voucher = await _voucher_for(payer_id, merchant_id, amount, wallet, merchant)
        off = voucher.face_value if voucher else 0
        if without_pin and not await _within_no_pin_limits(payer_id, amount - off):
            # Rolled back with the rest of this unit: the voucher waits with the payment.
            raise _AwaitPayer()
        # The transfer first, then the payment's row with it: one statement fewer than
        # an insert that the transfer would have to come back and fill in.
        transfer_id = await _transfer(wallet, merchant, amount, voucher)
        now = utc_now()
        rows = await fetch_rows(
            "INSERT INTO payment_payment (payer_id, merchant_id, amount, method, without_pin,"
            " status, created_at, paid_at, refunded, subsidy, transfer_id, voucher_id)"
            " VALUES ($1, $2, $3, $4, $5, 'paid', $6, $6, 0, $7, $8, $9) RETURNING *",
            payer_id,
            merchant_id,
            amount,
            method.value,
            without_pin,
            now,
            off,
            transfer_id,
            voucher.id if voucher is not None else None,
        )
        if voucher is not None:
            await _spent_by(voucher, int(rows[0]["id"]))
        await _tell_paid(payer_id, merchant_id, amount)
    return payment_view(rows[0], now)


async def _accounts(payer_id: int, merchant_id: int) -> tuple[int, int]:
    """The payer's wallet and the merchant's account (opened at their first payment)."""
    wallet, merchant = wallet_holder(payer_id), merchant_holder(merchant_id)
    found = await accounts_of(wallet, merchant)
    if wallet not in found:
        raise Conflict(PaymentProblem.INSUFFICIENT_FUNDS)
    return found[wallet], found.get(merchant) or await open_account(merchant)


class _AwaitPayer(Exception):
    """Past the limits of payment without a PIN: undo the unit, then wait for the payer."""


async def confirm(*, payer_id: int, payment_id: int, pin: str) -> PaymentView:
    """The payer confirms, with their PIN, a payment that awaits them: the money moves now."""
    theirs = await fetch_rows(
        "SELECT id FROM payment_payment WHERE id = $1 AND payer_id = $2", payment_id, payer_id
    )
    if not theirs:  # the merchant's too: only the payer confirms
        raise NotFound(PaymentProblem.PAYMENT_NOT_FOUND)
    await check_pin(user_id=payer_id, pin=pin)
    now = utc_now()
    async with unit_of_work():
        # Taken first, under its row lock: of two confirmations at once, one pays.
        taken = await fetch_rows(
            "UPDATE payment_payment SET status = 'paid', paid_at = $3 WHERE id = $1"
            " AND payer_id = $2 AND status = 'awaiting_payer' AND expires_at > $3 RETURNING *",
            payment_id,
            payer_id,
            now,
        )
        if not taken:
            raise Conflict(PaymentProblem.PAYMENT_NOT_AWAITING)
        merchant_id, amount = int(taken[0]["merchant_id"]), int(taken[0]["amount"])
        wallet = await account_of(wallet_holder(payer_id))
        merchant = await account_of(merchant_holder(merchant_id))
        if wallet is None or merchant is None:
            raise Conflict(PaymentProblem.INSUFFICIENT_FUNDS)
        voucher = await _voucher_for(payer_id, merchant_id, amount, wallet, merchant)
        paid = await _move(payment_id, (wallet, merchant), amount, voucher)
        await _tell_paid(payer_id, merchant_id, amount)
        await tell_part(paid, ChargeStatus.PAID)
    return payment_view(paid, now)


async def _lock(wallet: int, merchant: int, voucher: Spendable | None) -> None:
    """Take the row locks of every account the payment moves, in id order as every transfer
    takes them, before the voucher's: the no-PIN day's sum is then read under them, and
    no two payments wait for each other in a cycle. (SQLite's writes run one at a time.)"""
    if is_postgres():
        accounts = sorted({wallet, merchant, *([voucher.pool] if voucher else [])})
        await fetch_rows(
            "SELECT id FROM payment_account WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
            accounts,
        )


async def _voucher_for(
    payer_id: int, merchant_id: int, amount: int, wallet: int, merchant: int
) -> Spendable | None:
    """The payer's best voucher for the payment, spent already (in the caller's unit), with
    every account the payment moves locked first; None if there is none, or if another
    payment spent it meanwhile."""
    voucher = await best_voucher(payer_id=payer_id, merchant_id=merchant_id, amount=amount)
    await _lock(wallet, merchant, voucher)
    return voucher if voucher is not None and await spend(voucher) else None


async def _move(
    payment_id: int, accounts: tuple[int, int], amount: int, voucher: Spendable | None
) -> Mapping[str, Any]:
    """The transfer of a payment that waited for its payer, written into its row."""
    transfer_id = await _transfer(*accounts, amount, voucher)
    rows = await fetch_rows(
        "UPDATE payment_payment SET transfer_id = $2, voucher_id = $3, subsidy = $4"
        " WHERE id = $1 RETURNING *",
        payment_id,
        transfer_id,
        voucher.id if voucher is not None else None,
        voucher.face_value if voucher is not None else 0,
    )
    if voucher is not None:
        await _spent_by(voucher, payment_id)
    return rows[0]


async def _transfer(wallet: int, merchant: int, amount: int, voucher: Spendable | None) -> int:
    """A payment's transfer: the merchant gets `amount`; the pool of the voucher (spent
    already) pays its face value, and the wallet the rest."""
    off = voucher.face_value if voucher is not None else 0
    legs = [Leg(merchant, amount), Leg(wallet, off - amount)]
    if voucher is not None:
        legs.append(Leg(voucher.pool, -off))
    posted = await post_transfer(
        kind=TransferKind.PAYMENT, legs=[leg for leg in legs if leg.amount]
    )
    return posted.transfer_id


async def _spent_by(voucher: Spendable, payment_id: int) -> None:
    await fetch_rows(
        "UPDATE payment_voucher SET payment_id = $2 WHERE id = $1", voucher.id, payment_id
    )


async def payment_of(*, viewer_id: int, payment_id: int) -> PaymentView:
    """A payment its payer or its merchant may see; to anyone else it is not found."""
    rows = await fetch_rows(
        "SELECT * FROM payment_payment WHERE id = $1 AND (payer_id = $2 OR merchant_id = $2)",
        payment_id,
        viewer_id,
    )
    if not rows:
        raise NotFound(PaymentProblem.PAYMENT_NOT_FOUND)
    return payment_view(rows[0], utc_now())


async def close_unconfirmed_payments() -> int:
    """Close the payments whose payer did not confirm in time; how many."""
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE payment_payment SET status = 'closed'"
            " WHERE status = 'awaiting_payer' AND expires_at <= $1 RETURNING *",
            utc_now(),
        )
        for row in rows:
            await tell_part(row, ChargeStatus.CLOSED)
    return len(rows)


async def tell_part(payment: Mapping[str, Any], status: ChargeStatus) -> None:
    """The part that asked for a charge learns that it was paid or closed, in the same
    transaction; a payment no part asked for is nobody else's business."""
    key = payment["charge_key"]
    if key is None:
        return
    part, reference = str(key).split(":", 1)
    await emit(
        CHARGE_FINISHED,
        ChargeFinished(
            payment_id=int(payment["id"]),
            part=part,
            reference=reference,
            payer_id=int(payment["payer_id"]),
            amount_fen=int(payment["amount"]),
            status=status,
        ),
    )


def payment_view(row: Mapping[str, Any], now: dt.datetime) -> PaymentView:
    status = Status(str(row["status"]))
    if status is Status.AWAITING_PAYER and row["expires_at"] <= now:
        status = Status.CLOSED  # as the next sweep will write it
    return PaymentView(
        id=int(row["id"]),
        amount_fen=int(row["amount"]),
        refunded_fen=int(row["refunded"]),
        subsidy_fen=int(row["subsidy"]),
        method=Method(str(row["method"])),
        status=status,
        created_at=row["created_at"],
        paid_at=row["paid_at"],
        expires_at=row["expires_at"] if status is Status.AWAITING_PAYER else None,
        purpose=str(row["purpose"]),
    )


async def _within_no_pin_limits(payer_id: int, amount: int) -> bool:
    """Whether the wallet's part of a payment without a PIN fits its limits: read under the
    accounts' row locks (`_lock`)."""
    if amount > NO_PIN_PER_PAYMENT:
        return False
    rows = await fetch_rows(
        "SELECT COALESCE(SUM(amount - subsidy), 0) AS spent FROM payment_payment"
        " WHERE payer_id = $1 AND without_pin AND status = 'paid' AND created_at >= $2",
        payer_id,
        day_start(utc_now()),
    )
    return int(rows[0]["spent"]) + amount <= NO_PIN_PER_DAY


async def _await_payer(payer_id: int, merchant_id: int, amount: int, method: Method) -> PaymentView:
    now = utc_now()
    rows = await fetch_rows(
        "INSERT INTO payment_payment (payer_id, merchant_id, amount, method, without_pin,"
        " status, transfer_id, created_at, expires_at, refunded, subsidy) VALUES ($1, $2, $3,"
        " $4, FALSE, 'awaiting_payer', NULL, $5, $6, 0, 0) RETURNING *",
        payer_id,
        merchant_id,
        amount,
        method.value,
        now,
        now + AWAIT_FOR,
    )
    view = payment_view(rows[0], now)
    await notify(
        audience=Audience.users(payer_id),
        template=CONFIRM,
        data={"yuan": yuan(amount)},
        source="payment",
        deep_link=f"yimen://miniapps/payment/payments/{view.id}",
    )
    return view


async def _tell_paid(payer_id: int, merchant_id: int, amount: int) -> None:
    data = {"yuan": yuan(amount)}
    await notify(
        audience=Audience.users(payer_id),
        template=PAID,
        data=data,
        source="payment",
        deep_link=WALLET_LINK,
    )
    await notify(
        audience=Audience.users(merchant_id), template=COLLECTED, data=data, source="payment"
    )
