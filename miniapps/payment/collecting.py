"""Merchants collect by scanning a resident's payer code (付款码, 被扫).

The code is read apart and checked (shape, check digit, a device enrolled with that payer
number, a time code of a step next to our clock's), then taken: its use is committed before
the payment is tried and kept whatever becomes of the payment, so a code is good once, for
one merchant. The payment itself is one without a PIN (`payments.pay`): within its limits
the money moves at once, past them the payer is asked to confirm.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    UNIQUE_VIOLATION,
    Conflict,
    NotFound,
    Unprocessable,
    Vault,
    fetch_rows,
    utc_now,
)
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.payer_codes import (
    PAYER_NUMBER_DIGITS,
    PREFIX,
    STEP_SECONDS,
    NotAPayerCode,
    read_code,
    step_at,
    step_shown,
)
from miniapps.payment.payments import Method, pay
from miniapps.payment.schemas import PayerDeviceView, PaymentView

SEAL = "payment_payer_device"
MOST_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=10)
_DECOY = bytes(32)  # checked against for an unknown payer number, as a real secret would be


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


async def turn_off_payer_device(*, user_id: int, payer_number: str) -> None:
    """The resident's phone with this payer number shows codes no more: they stop at once. A
    number no longer theirs (off already, or replaced by another phone's enrolment) is not
    found, so turning an old phone off never turns off the phone that came after it."""
    rows = await fetch_rows(
        "DELETE FROM payment_payer_device WHERE user_id = $1 AND payer_number = $2 RETURNING id",
        user_id,
        payer_number,
    )
    if not rows:
        raise NotFound(PaymentProblem.PAYER_DEVICE_NOT_FOUND)


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
) -> PaymentView:
    """Take `amount` fen from the wallet of the resident whose phone shows `code`, without
    a PIN, or leave the payment awaiting the payer past the limits of that."""
    payer_id, code_key = await _payer_of(code, vault)
    await _take(code_key, merchant_id)
    return await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=amount,
        method=Method.PAYER_CODE,
        without_pin=True,
    )


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
