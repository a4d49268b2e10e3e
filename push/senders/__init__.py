"""Push providers behind one interface: FCM now; APNs direct and the mainland vendor channels
(HMS Push, MiPush, …) fit the same shape, since FCM does not reach many phones in China."""

from __future__ import annotations

import enum
from typing import Protocol

import msgspec


class Outcome(enum.StrEnum):
    SENT = "sent"
    LOGGED = "logged"  # no provider configured: the payload went to the log
    INVALID_ADDRESS = "invalid_address"  # never retried; the device is switched off
    RETRY = "retry"  # the provider is unavailable for now
    FAILED = "failed"  # refused for good


class PushMessage(msgspec.Struct, frozen=True, kw_only=True):
    address: str  # a device's token or installation id, or a topic or condition
    kind: str  # "token", "fid", "topic" or "condition"
    platform: str  # empty for a topic or condition: it reaches every platform
    title: str
    body: str
    data: dict[str, str]
    urgent: bool
    collapse_key: str | None
    ttl: int


class SendResult(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    error: str | None = None
    retry_after: float | None = None


class Sender(Protocol):
    provider: str  # what the metrics call it: fcm, inbox (no provider: the inbox alone)

    async def send(self, messages: list[PushMessage]) -> list[SendResult]:
        """One result per message, in order; never raises for a single message's failure."""
        ...

    async def change_topic(
        self, addresses: list[str], topic: str, *, join: bool
    ) -> list[str | None]:
        """Join or leave a topic; one error (or None) per address, in order."""
        ...

    async def close(self) -> None: ...
