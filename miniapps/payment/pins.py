"""Payment PINs (支付密码): six digits, kept as an Argon2id hash, tried a few times at most.

A try is counted before the PIN is checked, in a statement of its own: tries sent at once
cannot slip past the count while the hash is computed, and a refusal that follows rolls
nothing back. `MOST_TRIES` wrong PINs in a row lock the PIN for `LOCK_FOR`; a try after
that lock is one more wrong PIN away from the next. A right PIN clears the count; after a
fresh login with a one-time code (the phone proves the holder again) the holder may lift
the lock or set the PIN anew.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.sdk import Claims, Conflict, Forbidden, Unprocessable, fetch_rows, utc_now
from miniapps.payment.errors import PaymentProblem

MOST_TRIES = 5
LOCK_FOR = dt.timedelta(hours=1)
FRESH_LOGIN = 300  # seconds: how recent a login by one-time code counts as a new proof
# OWASP's Argon2id floor (19 MiB, 2 passes, 1 lane): about 35 ms a hash on one core.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# PINs anyone would guess first: one digit six times, or a run up or down.
_OBVIOUS = frozenset(
    {str(digit) * 6 for digit in range(10)}
    | {"012345", "123456", "234567", "345678"}
    | {"456789", "987654", "876543", "765432", "654321", "543210"}
)


async def set_pin(*, user_id: int, pin: str, current: str | None, claims: Claims) -> None:
    """Set the payer's PIN. The first one, or one forgotten, needs a fresh login (a stolen
    session must not set the PIN that pays without limit); changing one needs the PIN now
    or that fresh login. Setting one anew also lifts a lock."""
    if pin in _OBVIOUS:
        raise Unprocessable(PaymentProblem.PIN_TOO_SIMPLE)
    if current is not None:
        await check_pin(user_id=user_id, pin=current)
    elif not freshly_proved(claims):
        raise Forbidden(PaymentProblem.PIN_REVERIFY)
    hashed = await asyncio.to_thread(_HASHER.hash, pin)
    await fetch_rows(
        "INSERT INTO payment_pin (user_id, pin_hash, wrong_tries, locked_until, set_at)"
        " VALUES ($1, $2, 0, NULL, $3) ON CONFLICT (user_id) DO UPDATE SET"
        " pin_hash = excluded.pin_hash, wrong_tries = 0, locked_until = NULL,"
        " set_at = excluded.set_at",
        user_id,
        hashed,
        utc_now(),
    )


async def unlock_pin(*, user_id: int, claims: Claims) -> None:
    """Lift a lock after the holder proved themselves again by a fresh login."""
    if not freshly_proved(claims):
        raise Forbidden(PaymentProblem.PIN_REVERIFY)
    if not await _has_pin(user_id):
        raise Conflict(PaymentProblem.PIN_NOT_SET)
    await _clear(user_id)


async def check_pin(*, user_id: int, pin: str) -> None:
    """Pass if `pin` is the payer's PIN; otherwise refuse, and count the try."""
    now = utc_now()
    rows = await fetch_rows(
        "UPDATE payment_pin SET wrong_tries = wrong_tries + 1,"
        " locked_until = CASE WHEN wrong_tries + 1 >= $2 THEN $3 ELSE locked_until END"
        " WHERE user_id = $1 AND (locked_until IS NULL OR locked_until <= $4)"
        " RETURNING pin_hash",
        user_id,
        MOST_TRIES,
        now + LOCK_FOR,
        now,
    )
    if not rows:
        if not await _has_pin(user_id):
            raise Conflict(PaymentProblem.PIN_NOT_SET)
        raise Forbidden(PaymentProblem.PIN_LOCKED)
    if not await asyncio.to_thread(_matches, str(rows[0]["pin_hash"]), pin):
        raise Forbidden(PaymentProblem.PIN_INCORRECT)
    await _clear(user_id)


def _matches(hashed: str, pin: str) -> bool:
    try:
        return _HASHER.verify(hashed, pin)
    except (VerificationError, InvalidHashError):
        return False


def freshly_proved(claims: Claims) -> bool:
    return claims.authenticated_within(FRESH_LOGIN, now=utc_now().timestamp())


async def _has_pin(user_id: int) -> bool:
    return bool(await fetch_rows("SELECT user_id FROM payment_pin WHERE user_id = $1", user_id))


async def _clear(user_id: int) -> None:
    await fetch_rows(
        "UPDATE payment_pin SET wrong_tries = 0, locked_until = NULL WHERE user_id = $1",
        user_id,
    )
