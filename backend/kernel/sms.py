"""The contract of a text message to a phone: what any part asks of the SMS provider, and
the outcomes a provider sorts every vendor answer into. Auth fulfils it (Alibaba Cloud,
Tencent Cloud, or the console in development) and puts the provider on `Services.sms`.

Mainland SMS vendors send only pre-approved templates under an approved sign name, so a
message is a template and its parameters, never free text.
"""

from __future__ import annotations

import enum
from typing import Protocol

import msgspec


class SmsOutcome(enum.StrEnum):
    SENT = "sent"
    THROTTLED = "throttled"  # the vendor's rate limit for the number or account: try later
    BAD_NUMBER = "bad_number"  # the number is malformed, unreachable or blocked: final
    TEMPLATE_REJECTED = "template_rejected"  # template or sign name not approved: final
    VENDOR_ERROR = "vendor_error"  # anything else (network, vendor fault): retry, a few times

    @property
    def final(self) -> bool:
        """Whether trying the same message again cannot help."""
        return self in (SmsOutcome.SENT, SmsOutcome.BAD_NUMBER, SmsOutcome.TEMPLATE_REJECTED)


class SmsMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One templated text to one phone. `params` in the template's order: Alibaba Cloud
    fills its variables by name, Tencent Cloud by position."""

    phone: str
    template: str
    params: dict[str, str]


class SmsResult(msgspec.Struct, frozen=True, kw_only=True):
    outcome: SmsOutcome
    vendor_code: str | None = None  # the vendor's own code, e.g. isv.BUSINESS_LIMIT_CONTROL
    detail: str | None = None


class SmsProvider(Protocol):
    name: str

    async def send(self, message: SmsMessage) -> SmsResult:
        """Send one message; a vendor's refusal or a network failure is a result, not an
        exception."""
        ...

    async def close(self) -> None: ...
