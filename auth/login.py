"""Login by phone and one-time code. Codes are hashed, short-lived, few, and few-guessed."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

import msgspec

from auth.code_delivery import (
    CODE_REQUESTED,
    PROBLEMS,
    SEAL_PURPOSE,
    CodeRequested,
    Delivery,
    OtpOutcome,
    code_outcome,
)
from auth.errors import AuthCode
from auth.tables import OneTimeCode
from backend.directory.users.service import PHONE_PURPOSE
from backend.kernel.clock import utc_now
from backend.kernel.errors import TooManyRequests, Unauthorized, Unprocessable
from backend.kernel.events import emit, unit_of_work
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault

_CODE_PURPOSE = "auth.otp"


class CodeSent(msgspec.Struct, frozen=True, kw_only=True):
    """A code is on its way. `request_id` asks `GET /v1/auth/otp/{request_id}` how its text
    is going; `expires_in` and `resend_after` are seconds."""

    request_id: str
    expires_in: int
    resend_after: int


def _code_hash(vault: Vault, phone_lookup: str, code: str) -> str:
    return vault.lookup(f"{phone_lookup}:{code}", purpose=_CODE_PURPOSE)


async def send_code(*, phone: str, ip: str, settings: Settings, vault: Vault) -> CodeSent:
    """Issue a fresh six-digit code within the per-phone and per-address limits, and queue
    its text: the send job delivers it after the commit, so no vendor is waited for here."""
    phone_lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    code = f"{secrets.randbelow(1_000_000):06d}"
    request_key = secrets.token_urlsafe(16)
    now = utc_now()
    async with unit_of_work():
        try:
            await _check_send_limits(phone_lookup=phone_lookup, ip=ip, settings=settings)
        except TooManyRequests:
            code_outcome(OtpOutcome.REFUSED)
            raise
        inserted = await OneTimeCode.insert(
            OneTimeCode(
                phone_lookup=phone_lookup,
                code_hash=_code_hash(vault, phone_lookup, code),
                ip=ip,
                expires_at=now + dt.timedelta(seconds=settings.otp_ttl),
                request_key=request_key,
                phone_sealed=vault.seal(phone, purpose=SEAL_PURPOSE),
                code_sealed=vault.seal(code, purpose=SEAL_PURPOSE),
                delivery=Delivery.QUEUED,
                next_send_at=now,
            )
        )
        await emit(CODE_REQUESTED, CodeRequested(code_id=inserted[0]["id"]))
    return CodeSent(
        request_id=request_key,
        expires_in=settings.otp_ttl,
        resend_after=settings.otp_resend_interval,
    )


async def _check_send_limits(*, phone_lookup: str, ip: str, settings: Settings) -> None:
    hour_ago = utc_now() - dt.timedelta(hours=1)
    recent = (
        await OneTimeCode.select(OneTimeCode.created_at)
        .where((OneTimeCode.phone_lookup == phone_lookup) & (OneTimeCode.created_at > hour_ago))
        .order_by(OneTimeCode.created_at, ascending=False)
    )
    if recent:
        wait = settings.otp_resend_interval - (utc_now() - recent[0]["created_at"]).total_seconds()
        if wait > 0:
            retry = int(wait) + 1
            raise TooManyRequests(
                AuthCode.OTP_TOO_SOON, retry_after=retry, headers={"Retry-After": str(retry)}
            )
    if len(recent) >= settings.otp_per_phone_per_hour:
        raise TooManyRequests(AuthCode.OTP_PHONE_LIMIT, headers={"Retry-After": "3600"})
    from_ip = await OneTimeCode.count().where(
        (OneTimeCode.ip == ip) & (OneTimeCode.created_at > hour_ago)
    )
    if from_ip >= settings.otp_per_ip_per_hour:
        raise TooManyRequests(AuthCode.OTP_IP_LIMIT, headers={"Retry-After": "3600"})


async def redeem_code(*, phone: str, code: str, settings: Settings, vault: Vault) -> str:
    """Consume the phone's newest live code if `code` matches; returns the phone's lookup hash.

    The attempt is counted by a conditional update before the comparison, so parallel
    guesses cannot exceed the cap, and the code is consumed by another, so it logs in once.
    A code whose text could not be delivered answers why (`sms_bad_number`, …), so the
    resident learns to fix the number rather than wait.
    """
    phone_lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    live = (
        await OneTimeCode.select(OneTimeCode.id, OneTimeCode.code_hash, OneTimeCode.delivery)
        .where(
            (OneTimeCode.phone_lookup == phone_lookup)
            & OneTimeCode.consumed_at.is_null()
            & (OneTimeCode.expires_at > utc_now())
        )
        .order_by(OneTimeCode.id, ascending=False)
        .first()
    )
    if live is None:
        raise Unauthorized(AuthCode.OTP_INVALID)
    if live["delivery"] in PROBLEMS:
        raise Unprocessable(PROBLEMS[live["delivery"]])
    counted = (
        await OneTimeCode.update({OneTimeCode.attempts: OneTimeCode.attempts + 1})
        .where((OneTimeCode.id == live["id"]) & (OneTimeCode.attempts < settings.otp_max_attempts))
        .returning(OneTimeCode.id)
    )
    if not counted:
        raise TooManyRequests(AuthCode.OTP_LOCKED)
    if not hmac.compare_digest(live["code_hash"], _code_hash(vault, phone_lookup, code)):
        raise Unauthorized(AuthCode.OTP_INVALID)
    consumed = (
        await OneTimeCode.update({OneTimeCode.consumed_at: utc_now()})
        .where((OneTimeCode.id == live["id"]) & OneTimeCode.consumed_at.is_null())
        .returning(OneTimeCode.id)
    )
    if not consumed:
        raise Unauthorized(AuthCode.OTP_INVALID)
    return phone_lookup
