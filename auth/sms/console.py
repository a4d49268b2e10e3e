"""Development only: a text goes to the log instead of a phone."""

from __future__ import annotations

import logging

from backend.kernel.masking import mask_phone
from backend.kernel.sms import SmsMessage, SmsOutcome, SmsResult

log = logging.getLogger(__name__)


class ConsoleSms:
    name = "console"

    async def send(self, message: SmsMessage) -> SmsResult:
        code = message.params.get("code")
        if code is not None:
            # The line the README's tour and the client flows read a login code from.
            log.warning("one-time code for %s: %s", mask_phone(message.phone), code)
        else:
            log.warning(
                "SMS to %s, template %s: %s",
                mask_phone(message.phone),
                message.template,
                message.params,
            )
        return SmsResult(outcome=SmsOutcome.SENT)

    async def close(self) -> None:
        """Nothing to close."""
