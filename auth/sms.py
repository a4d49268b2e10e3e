"""Where one-time codes go: an SMS provider in production, the console in development."""

from __future__ import annotations

import logging
from typing import Protocol

from auth.errors import AuthCode
from backend.kernel.errors import YimenError
from backend.kernel.masking import mask_phone

log = logging.getLogger(__name__)


class SmsUnavailable(YimenError):
    status = 503


class SmsSender(Protocol):
    async def send_code(self, phone: str, code: str, ttl_seconds: int) -> None: ...


class ConsoleSms:
    """Development only: the code goes to the log instead of a phone."""

    async def send_code(self, phone: str, code: str, ttl_seconds: int) -> None:
        log.warning("one-time code for %s: %s (valid %ss)", mask_phone(phone), code, ttl_seconds)


class NoSms:
    """Production without a configured provider: refuse rather than pretend to send."""

    async def send_code(self, phone: str, code: str, ttl_seconds: int) -> None:
        raise SmsUnavailable(AuthCode.SMS_UNAVAILABLE)
