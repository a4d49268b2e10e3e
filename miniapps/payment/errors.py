"""The payment mini-app's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class PaymentProblem(ErrorCode):
    """What the payment app refuses."""

    INSUFFICIENT_FUNDS = "insufficient_funds"
    TOP_UP_NOT_FOUND = "top_up_not_found"
    TOP_UP_FINISHED = "top_up_finished"
    CHANNEL_AMOUNT_MISMATCH = "channel_amount_mismatch"
    CHANNEL_SIGNATURE_INVALID = "channel_signature_invalid"
    CHANNEL_NOTICE_INVALID = "channel_notice_invalid"
    PAYER_CODE_INVALID = "payer_code_invalid"
    PAYER_CODE_USED = "payer_code_used"
    PAYER_CONFIRMATION_REQUIRED = "payer_confirmation_required"


register_messages(
    PaymentProblem,
    {
        PaymentProblem.INSUFFICIENT_FUNDS: ("余额不足", "The balance does not cover this payment"),
        PaymentProblem.TOP_UP_NOT_FOUND: ("找不到该充值订单", "No such top-up order"),
        PaymentProblem.TOP_UP_FINISHED: (
            "该充值订单已结束",
            "This top-up order has already ended otherwise",
        ),
        PaymentProblem.CHANNEL_AMOUNT_MISMATCH: (
            "通知金额与订单金额不符",
            "The notified amount differs from the order's",
        ),
        PaymentProblem.CHANNEL_SIGNATURE_INVALID: (
            "支付通道通知签名无效或已过期",
            "The channel notification's signature is wrong or out of date",
        ),
        PaymentProblem.PAYER_CODE_INVALID: (
            "付款码无效或已过期,请让顾客刷新后重试",
            "Not a payer code good now: ask for a fresh one",
        ),
        PaymentProblem.PAYER_CODE_USED: ("付款码已使用", "This payer code has been used"),
        PaymentProblem.PAYER_CONFIRMATION_REQUIRED: (
            "超出免密支付限额,需付款人确认",
            "Past the limit of payment without a PIN: the payer must confirm",
        ),
        PaymentProblem.CHANNEL_NOTICE_INVALID: (
            "支付通道通知格式不正确",
            "The channel notification is not in its one valid form",
        ),
    },
)
