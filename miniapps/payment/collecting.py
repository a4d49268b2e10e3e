"""Merchants collect by scanning a resident's payer code (付款码, 被扫).

The code is read apart and checked (shape, check digit, a device enrolled with that payer
number, a time code of a step next to our clock's), then taken: its use is committed before
the payment is tried and kept whatever becomes of the payment, so a code is good once, for
one merchant. The payment itself moves the money from the payer's wallet to the merchant's
account in one transaction, within the limits of payment without a PIN: per payment, and
per day across every process (the day's sum is read under the payer wallet's row lock).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from backend.sdk import (
    UNIQUE_VIOLATION,
    Audience,
    Conflict,
    Template,
    Unprocessable,
    Vault,
    fetch_rows,
    is_postgres,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import Leg, TransferKind, account_of, open_account, post_transfer
from miniapps.payment.payer_codes import (
    PAYER_NUMBER_DIGITS,
    PREFIX,
    STEP_SECONDS,
    NotAPayerCode,
    read_code,
    step_at,
    step_shown,
)
from miniapps.payment.schemas import CollectedView, PayerDeviceView
from miniapps.payment.top_ups import WALLET_LINK, yuan
from miniapps.payment.wallets import wallet_holder

SEAL = "payment_payer_device"
MOST_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=10)
_DECOY = bytes(32)  # checked against for an unknown payer number, as a real secret would be
CITY_TIME = ZoneInfo("Asia/Shanghai")  # the day the daily limit counts is the city's
NO_PIN_PER_PAYMENT = 100_000  # fen: 1,000 yuan
NO_PIN_PER_DAY = 200_000  # fen: 2,000 yuan
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


def merchant_holder(user_id: int) -> str:
    return f"merchant:{user_id}"


async def enrol_payer_device(*, user_id: int, vault: Vault) -> PayerDeviceView:
    """A new secret and payer number for the resident's phone, replacing any before: shown
    this once, for the phone to keep."""
    secret = secrets.token_bytes(32)
    sealed = vault.seal(base64.b64encode(secret).decode(), purpose=SEAL)
    number = await _new_payer_number(user_id, sealed)
    return PayerDeviceView(
        payer_number=number,
        secret=base64.b64encode(secret).decode(),
        prefix=PREFIX,
        step_seconds=STEP_SECONDS,
    )


_ENROL = (
    "INSERT INTO payment_payer_device"
    " (user_id, payer_number, secret_sealed, enrolled_at, failures, failing_since)"
    " VALUES ($1, $2, $3, $4, 0, NULL) ON CONFLICT (user_id) DO UPDATE SET"
    " payer_number = excluded.payer_number, secret_sealed = excluded.secret_sealed,"
    " enrolled_at = excluded.enrolled_at, failures = 0, failing_since = NULL"
)


async def _new_payer_number(user_id: int, sealed: str) -> str:
    """Enrol in one statement (two enrolments at once: the later replaces the earlier), with
    a new payer number drawn again in the rare case that another phone holds it."""
    while True:
        number = str(secrets.randbelow(10**PAYER_NUMBER_DIGITS)).zfill(PAYER_NUMBER_DIGITS)
        try:
            await fetch_rows(_ENROL, user_id, number, sealed, utc_now())
        except UNIQUE_VIOLATION:
            continue
        return number


async def collect_by_payer_code(
    *, merchant_id: int, code: str, amount: int, vault: Vault
) -> CollectedView:
    """Take `amount` fen from the wallet of the resident whose phone shows `code`."""
    payer_id, code_key = await _payer_of(code, vault)
    await _take(code_key, merchant_id)
    if amount > NO_PIN_PER_PAYMENT:
        raise Conflict(PaymentProblem.PAYER_CONFIRMATION_REQUIRED)
    merchant = await open_account(merchant_holder(merchant_id))
    async with unit_of_work():
        wallet = await account_of(wallet_holder(payer_id))
        if wallet is None:
            raise Conflict(PaymentProblem.INSUFFICIENT_FUNDS)
        await _within_the_day(payer_id, (wallet, merchant), amount)
        posted = await post_transfer(
            kind=TransferKind.PAYMENT, legs=[Leg(wallet, -amount), Leg(merchant, amount)]
        )
        now = utc_now()
        rows = await fetch_rows(
            "INSERT INTO payment_payment (payer_id, merchant_id, amount, method, without_pin,"
            " status, transfer_id, created_at) VALUES ($1, $2, $3, 'payer_code', $4, 'paid',"
            " $5, $6) RETURNING id",
            payer_id,
            merchant_id,
            amount,
            True,
            posted.transfer_id,
            now,
        )
        await _tell(payer_id, merchant_id, amount)
    return CollectedView(id=int(rows[0]["id"]), amount_fen=amount, status="paid", paid_at=now)


async def _payer_of(code: str, vault: Vault) -> tuple[int, str]:
    """The payer whose phone shows `code` now, and the key its use is kept under."""
    try:
        scanned = read_code(code)
    except NotAPayerCode as err:
        raise Unprocessable(PaymentProblem.PAYER_CODE_INVALID) from err
    now = utc_now()
    rows = await fetch_rows(
        "SELECT user_id, secret_sealed, failures, failing_since FROM payment_payer_device"
        " WHERE payer_number = $1",
        scanned.payer_number,
    )
    if not rows:
        step_shown(_DECOY, scanned.time_code, step_at(now.timestamp()))
        raise Unprocessable(PaymentProblem.PAYER_CODE_INVALID)
    device = rows[0]
    secret = base64.b64decode(vault.open(str(device["secret_sealed"]), purpose=SEAL))
    step = step_shown(secret, scanned.time_code, step_at(now.timestamp()))
    if _locked(device, now):
        raise Unprocessable(PaymentProblem.PAYER_CODE_INVALID)
    if step is None:
        await _count_failure(scanned.payer_number, now)
        raise Unprocessable(PaymentProblem.PAYER_CODE_INVALID)
    return int(device["user_id"]), f"{scanned.payer_number}:{step}"


def _locked(device: Mapping[str, Any], now: dt.datetime) -> bool:
    since = device["failing_since"]
    return int(device["failures"]) >= MOST_FAILURES and since > now - FAILURE_WINDOW


async def _count_failure(payer_number: str, now: dt.datetime) -> None:
    """One more wrong time code for the payer number, counted afresh once the window of
    the first has passed. Its own commit: the refusal that follows rolls nothing back."""
    await fetch_rows(
        "UPDATE payment_payer_device SET"
        " failures = CASE WHEN failing_since IS NULL OR failing_since <= $2"
        " THEN 1 ELSE failures + 1 END,"
        " failing_since = CASE WHEN failing_since IS NULL OR failing_since <= $2"
        " THEN $3 ELSE failing_since END"
        " WHERE payer_number = $1",
        payer_number,
        now - FAILURE_WINDOW,
        now,
    )


async def _take(code_key: str, merchant_id: int) -> None:
    """Keep the code's use, in a transaction of its own: it stays taken if the payment fails."""
    try:
        await fetch_rows(
            "INSERT INTO payment_code_use (code_key, merchant_id, used_at) VALUES ($1, $2, $3)",
            code_key,
            merchant_id,
            utc_now(),
        )
    except UNIQUE_VIOLATION as err:
        raise Conflict(PaymentProblem.PAYER_CODE_USED) from err


async def _within_the_day(payer_id: int, accounts: tuple[int, int], amount: int) -> None:
    """Refuse a payment that would take the payer's no-PIN payments of the city's day past
    the limit. The wallet's row lock makes two merchants' payments at once count in turn;
    both accounts are locked in id order, as every transfer locks them (SQLite's write
    transactions run one at a time anyway)."""
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
    if int(rows[0]["spent"]) + amount > NO_PIN_PER_DAY:
        raise Conflict(PaymentProblem.PAYER_CONFIRMATION_REQUIRED)


def day_start(moment: dt.datetime) -> dt.datetime:
    """The instant (UTC) the city's day of `moment` began: midnight in Asia/Shanghai."""
    local = moment.astimezone(CITY_TIME)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


async def _tell(payer_id: int, merchant_id: int, amount: int) -> None:
    data = {"yuan": yuan(amount)}
    await notify(
        audience=Audience.users(payer_id),
        template=PAID,
        data=data,
        source="payment",
        deep_link=WALLET_LINK,
    )
    await notify(
        audience=Audience.users(merchant_id),
        template=COLLECTED,
        data=data,
        source="payment",
    )
