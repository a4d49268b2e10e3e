"""Login by phone and one-time code. Codes are hashed, short-lived, few, and few-guessed."""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
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
from backend.kernel.codes import KernelCode
from backend.kernel.errors import TooManyRequests, Unauthorized, Unprocessable
from backend.kernel.events import emit, unit_of_work
from backend.kernel.ratelimit import Limit, Rate, RateLimiter, enforce
from backend.kernel.settings import Settings, SmsVendor
from backend.kernel.vault import Vault

_CODE_PURPOSE = "auth.otp"


class CodeSent(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A code is on its way. `request_id` asks `GET /v1/auth/otp/{request_id}` how its text
    is going; `expires_in` and `resend_after` are seconds. `dev_code` is the code itself,
    only where texts go to the development console (never with an SMS vendor, which
    production requires) and only to a caller on the server's own machine: the browser
    shell shows it so a demo needs no server log."""

    request_id: str
    expires_in: int
    resend_after: int
    dev_code: str | None = None


def _code_hash(vault: Vault, phone_lookup: str, code: str) -> str:
    return vault.lookup(f"{phone_lookup}:{code}", purpose=_CODE_PURPOSE)


async def send_code(
    *, phone: str, ip: str, settings: Settings, vault: Vault, limiter: RateLimiter
) -> CodeSent:
    """Issue a fresh six-digit code within the per-phone and per-address limits, and queue
    its text: the send job delivers it after the commit, so no vendor is waited for here."""
    phone_lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    try:
        await enforce(
            limiter, _code_limits(phone_lookup=phone_lookup, address=ip, settings=settings)
        )
    except TooManyRequests:
        code_outcome(OtpOutcome.REFUSED)
        raise
    code = f"{secrets.randbelow(1_000_000):06d}"
    request_key = secrets.token_urlsafe(16)
    now = utc_now()
    async with unit_of_work():
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
        dev_code=code if _texts_to_console(settings) and _on_this_machine(ip) else None,
    )


def _texts_to_console(settings: Settings) -> bool:
    return settings.is_dev and settings.sms_provider in (None, SmsVendor.CONSOLE)


def _on_this_machine(ip: str) -> bool:
    """A dev server reached from elsewhere (a phone on the network, a staging host left in
    dev) shows no code: whoever can reach it could log in as any phone."""
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def _code_limits(*, phone_lookup: str, address: str, settings: Settings) -> list[Limit]:
    """A phone gets a code only a while after its last, and a few an hour; an address a
    few more, so one client cannot spray codes over many phones (each costs an SMS)."""
    hour = 3600.0
    limits = [
        Limit(
            "login.codes_per_phone",
            phone_lookup,
            Rate(settings.otp_per_phone_per_hour, hour),
            AuthCode.OTP_PHONE_LIMIT,
        ),
        Limit(
            "login.codes_per_address",
            address,
            Rate(settings.otp_per_ip_per_hour, hour),
            AuthCode.OTP_IP_LIMIT,
        ),
    ]
    if settings.otp_resend_interval:
        resend = Rate(1, settings.otp_resend_interval)
        limits.insert(0, Limit("login.code_resend", phone_lookup, resend, AuthCode.OTP_TOO_SOON))
    return limits


def _attempt_limits(*, phone_lookup: str, address: str, settings: Settings) -> list[Limit]:
    """Guesses at codes, per phone (beside each code's own cap) and per address."""
    return [
        Limit(
            "login.attempts_per_phone",
            phone_lookup,
            Rate.parse(settings.rate_login_per_phone),
            KernelCode.RATE_LIMITED,
        ),
        Limit(
            "login.attempts_per_address",
            address,
            Rate.parse(settings.rate_login_per_address),
            KernelCode.RATE_LIMITED,
        ),
    ]


async def redeem_code(
    *, phone: str, code: str, ip: str, settings: Settings, vault: Vault, limiter: RateLimiter
) -> str:
    """Consume the phone's newest live code if `code` matches; returns the phone's lookup hash.

    The attempt is counted by a conditional update before the comparison, so parallel
    guesses cannot exceed the cap, and the code is consumed by another, so it logs in once.
    A code whose text could not be delivered answers why (`sms_bad_number`, …), so the
    resident learns to fix the number rather than wait.
    """
    phone_lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    limits = _attempt_limits(phone_lookup=phone_lookup, address=ip, settings=settings)
    await enforce(limiter, limits)
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
