"""Login by phone and one-time code. Codes are hashed, short-lived, few, and few-guessed."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

import msgspec

from auth.errors import AuthCode
from auth.sms import SmsSender
from auth.tables import OneTimeCode
from backend.directory.users.service import PHONE_PURPOSE
from backend.kernel.clock import utc_now
from backend.kernel.errors import TooManyRequests, Unauthorized
from backend.kernel.metrics import count_otp
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault

_CODE_PURPOSE = "auth.otp"


class CodeSent(msgspec.Struct, frozen=True):
    expires_in: int
    resend_after: int


def _code_hash(vault: Vault, phone_lookup: str, code: str) -> str:
    return vault.lookup(f"{phone_lookup}:{code}", purpose=_CODE_PURPOSE)


async def send_code(
    *, phone: str, ip: str, settings: Settings, vault: Vault, sms: SmsSender
) -> CodeSent:
    """Send a fresh six-digit code, within the per-phone and per-address limits."""
    phone_lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    try:
        await _check_send_limits(phone_lookup=phone_lookup, ip=ip, settings=settings)
    except TooManyRequests:
        count_otp("refused")
        raise
    code = f"{secrets.randbelow(1_000_000):06d}"
    await OneTimeCode.insert(
        OneTimeCode(
            phone_lookup=phone_lookup,
            code_hash=_code_hash(vault, phone_lookup, code),
            ip=ip,
            expires_at=utc_now() + dt.timedelta(seconds=settings.otp_ttl),
        )
    )
    await sms.send_code(phone, code, settings.otp_ttl)
    count_otp("sent")
    return CodeSent(expires_in=settings.otp_ttl, resend_after=settings.otp_resend_interval)


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
    """
    phone_lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    live = (
        await OneTimeCode.select(OneTimeCode.id, OneTimeCode.code_hash)
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
