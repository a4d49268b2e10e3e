"""Payments from a resident's wallet to a merchant, however made (a payer code the merchant
scans, the merchant's collection code the resident scans), and the payer's confirmation of
one that went past the limits of payment without a PIN.

A payment is one ledger transfer and its record, in one transaction. One without a PIN
that would go past `NO_PIN_PER_PAYMENT`, or past `NO_PIN_PER_DAY` of the payer's city day,
moves no money: it waits for the payer (`awaiting_payer`), who is pushed to confirm it with
their PIN within `AWAIT_FOR`; past that it is closed. The day's sum is read under both
accounts' row locks, in id order as every transfer takes them, so payments at once from
several processes count in turn (SQLite's write transactions run one at a time anyway).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from backend.sdk import (
    Audience,
    Conflict,
    NotFound,
    Template,
    fetch_rows,
    is_postgres,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import Leg, TransferKind, account_of, open_account, post_transfer
from miniapps.payment.pins import check_pin
from miniapps.payment.schemas import PaymentView
from miniapps.payment.top_ups import WALLET_LINK, yuan
from miniapps.payment.wallets import merchant_holder, wallet_holder

CITY_TIME = ZoneInfo("Asia/Shanghai")  # the day the daily limit counts is the city's
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


class Status(enum.StrEnum):
    PAID = "paid"
    AWAITING_PAYER = "awaiting_payer"
    CLOSED = "closed"


def day_start(moment: dt.datetime) -> dt.datetime:
    """The instant (UTC) the city's day of `moment` began: midnight in Asia/Shanghai."""
    local = moment.astimezone(CITY_TIME)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


async def pay(
    *, payer_id: int, merchant_id: int, amount: int, method: Method, without_pin: bool
) -> PaymentView:
    """Move `amount` fen from the payer's wallet to the merchant, or, for a payment without
    a PIN past its limits, leave it awaiting the payer."""
    merchant = await open_account(merchant_holder(merchant_id))
    async with unit_of_work():
        wallet = await account_of(wallet_holder(payer_id))
        if wallet is None:
            raise Conflict(PaymentProblem.INSUFFICIENT_FUNDS)
        if without_pin and not await _within_no_pin_limits(payer_id, (wallet, merchant), amount):
            return await _await_payer(payer_id, merchant_id, amount, method)
        posted = await post_transfer(
            kind=TransferKind.PAYMENT, legs=[Leg(wallet, -amount), Leg(merchant, amount)]
        )
        now = utc_now()
        rows = await fetch_rows(
            "INSERT INTO payment_payment (payer_id, merchant_id, amount, method, without_pin,"
            " status, transfer_id, created_at, paid_at, refunded) VALUES ($1, $2, $3, $4, $5,"
            " 'paid', $6, $7, $7, 0) RETURNING *",
            payer_id,
            merchant_id,
            amount,
            method.value,
            without_pin,
            posted.transfer_id,
            now,
        )
        await _tell_paid(payer_id, merchant_id, amount)
    return payment_view(rows[0], now)


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
        posted = await post_transfer(
            kind=TransferKind.PAYMENT, legs=[Leg(wallet, -amount), Leg(merchant, amount)]
        )
        rows = await fetch_rows(
            "UPDATE payment_payment SET transfer_id = $2 WHERE id = $1 RETURNING *",
            payment_id,
            posted.transfer_id,
        )
        await _tell_paid(payer_id, merchant_id, amount)
    return payment_view(rows[0], now)


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
    rows = await fetch_rows(
        "UPDATE payment_payment SET status = 'closed'"
        " WHERE status = 'awaiting_payer' AND expires_at <= $1 RETURNING id",
        utc_now(),
    )
    return len(rows)


def payment_view(row: Mapping[str, Any], now: dt.datetime) -> PaymentView:
    status = Status(str(row["status"]))
    if status is Status.AWAITING_PAYER and row["expires_at"] <= now:
        status = Status.CLOSED  # as the next sweep will write it
    return PaymentView(
        id=int(row["id"]),
        amount_fen=int(row["amount"]),
        refunded_fen=int(row["refunded"]),
        method=Method(str(row["method"])),
        status=status,
        created_at=row["created_at"],
        paid_at=row["paid_at"],
        expires_at=row["expires_at"] if status is Status.AWAITING_PAYER else None,
    )


async def _within_no_pin_limits(payer_id: int, accounts: tuple[int, int], amount: int) -> bool:
    if amount > NO_PIN_PER_PAYMENT:
        return False
    if is_postgres():
        await fetch_rows(
            "SELECT id FROM payment_account WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
            *sorted(accounts),
        )
    rows = await fetch_rows(
        "SELECT COALESCE(SUM(amount), 0) AS spent FROM payment_payment"
        " WHERE payer_id = $1 AND without_pin AND status = 'paid' AND created_at >= $2",
        payer_id,
        day_start(utc_now()),
    )
    return int(rows[0]["spent"]) + amount <= NO_PIN_PER_DAY


async def _await_payer(payer_id: int, merchant_id: int, amount: int, method: Method) -> PaymentView:
    now = utc_now()
    rows = await fetch_rows(
        "INSERT INTO payment_payment (payer_id, merchant_id, amount, method, without_pin,"
        " status, transfer_id, created_at, expires_at, refunded) VALUES ($1, $2, $3, $4,"
        " FALSE, 'awaiting_payer', NULL, $5, $6, 0) RETURNING *",
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
