"""Merchants' collection codes (收款码, 主扫): a static QR the payer scans, types an amount
and confirms with their PIN.

The code is `YMPAY1.<number>.<tag>`: the merchant's collection number (random, so the code
names no account and a printed code can be thrown away without telling who it was) and an
HMAC tag over it with a key derived from the platform's secret, so a code not issued here
is refused before anything is looked up, and guessing numbers gets nowhere.
"""

from __future__ import annotations

import hmac
import secrets

from backend.sdk import UNIQUE_VIOLATION, Unprocessable, Vault, fetch_rows, utc_now
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.payments import Method, pay
from miniapps.payment.pins import check_pin
from miniapps.payment.schemas import CollectionCodeView, PaymentView

SCHEME = "YMPAY1"
NUMBER_DIGITS = 12
TAG_CHARS = 24  # 96 bits of the HMAC's hex
_PURPOSE = "payment_collection_code"


async def collection_code_of(*, merchant_id: int, vault: Vault) -> CollectionCodeView:
    """The merchant's collection code, issued the first time it is asked for."""
    rows = await fetch_rows(
        "SELECT number FROM payment_collection_code WHERE merchant_id = $1", merchant_id
    )
    number = str(rows[0]["number"]) if rows else await _issue(merchant_id)
    return CollectionCodeView(code=f"{SCHEME}.{number}.{_tag(number, vault)}")


async def pay_by_collection_code(
    *, payer_id: int, code: str, amount: int, pin: str, vault: Vault
) -> PaymentView:
    """The payer pays `amount` fen to the merchant whose code they scanned, with their PIN."""
    merchant_id = await _merchant_of(code, vault)
    await check_pin(user_id=payer_id, pin=pin)
    return await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=amount,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )


async def _issue(merchant_id: int) -> str:
    """A new number for the merchant; of two first asks at once, both get the one kept."""
    while True:
        number = str(secrets.randbelow(10**NUMBER_DIGITS)).zfill(NUMBER_DIGITS)
        try:
            await fetch_rows(
                "INSERT INTO payment_collection_code (merchant_id, number, issued_at)"
                " VALUES ($1, $2, $3) ON CONFLICT (merchant_id) DO NOTHING",
                merchant_id,
                number,
                utc_now(),
            )
        except UNIQUE_VIOLATION:
            continue  # another merchant holds the number: draw again
        rows = await fetch_rows(
            "SELECT number FROM payment_collection_code WHERE merchant_id = $1", merchant_id
        )
        return str(rows[0]["number"])


async def _merchant_of(code: str, vault: Vault) -> int:
    scheme, _, rest = code.partition(".")
    number, _, tag = rest.partition(".")
    if scheme != SCHEME or len(number) != NUMBER_DIGITS or not _digits(number):
        raise Unprocessable(PaymentProblem.COLLECTION_CODE_INVALID)
    if not hmac.compare_digest(tag.encode(), _tag(number, vault).encode()):
        raise Unprocessable(PaymentProblem.COLLECTION_CODE_INVALID)
    rows = await fetch_rows(
        "SELECT merchant_id FROM payment_collection_code WHERE number = $1", number
    )
    if not rows:
        raise Unprocessable(PaymentProblem.COLLECTION_CODE_INVALID)
    return int(rows[0]["merchant_id"])


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _tag(number: str, vault: Vault) -> str:
    return vault.lookup(number, purpose=_PURPOSE)[:TAG_CHARS]
