"""The payment mini-app's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class PaymentProblem(ErrorCode):
    """What the payment app refuses."""

    INSUFFICIENT_FUNDS = "insufficient_funds"


register_messages(
    PaymentProblem,
    {
        PaymentProblem.INSUFFICIENT_FUNDS: ("余额不足", "The balance does not cover this payment"),
    },
)
