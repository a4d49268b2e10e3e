"""The embedded default: no push provider, so each payload is logged (the inbox still has it)."""

from __future__ import annotations

import logging

import msgspec

from push.senders import Outcome, PushMessage, SendResult

log = logging.getLogger(__name__)


class LogSender:
    provider = "inbox"

    async def send(self, messages: list[PushMessage]) -> list[SendResult]:
        for message in messages:
            log.info("push (no provider configured): %s", msgspec.json.encode(message).decode())
        return [SendResult(outcome=Outcome.LOGGED) for _ in messages]

    async def change_topic(
        self, addresses: list[str], topic: str, *, join: bool
    ) -> list[str | None]:
        log.info("topic %s: %s %s devices", topic, "join" if join else "leave", len(addresses))
        return [None for _ in addresses]

    async def close(self) -> None:
        return None
