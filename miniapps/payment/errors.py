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
    PAYER_DEVICE_NOT_FOUND = "payer_device_not_found"
    PIN_NOT_SET = "pin_not_set"
    PIN_INCORRECT = "pin_incorrect"
    PIN_LOCKED = "pin_locked"
    PIN_TOO_SIMPLE = "pin_too_simple"
    PIN_REVERIFY = "pin_reverify"
    COLLECTION_CODE_INVALID = "collection_code_invalid"
    PAYMENT_NOT_FOUND = "payment_not_found"
    PAYMENT_NOT_AWAITING = "payment_not_awaiting"
    PAYMENT_NOT_REFUNDABLE = "payment_not_refundable"
    REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"
    PAYMENT_TO_SELF = "payment_to_self"
    VOUCHER_PAYMENT_REFUNDED_WHOLE = "voucher_payment_refunded_whole"
    CAMPAIGN_INVALID = "campaign_invalid"
    CAMPAIGN_NOT_FOUND = "campaign_not_found"
    VOUCHER_CLAIMS_CLOSED = "voucher_claims_closed"
    VOUCHER_NOT_ELIGIBLE = "voucher_not_eligible"
    VOUCHER_ALREADY_CLAIMED = "voucher_already_claimed"
    VOUCHERS_GONE = "vouchers_gone"
    CHARGE_REFERENCE_TAKEN = "charge_reference_taken"
    CHARGE_INVALID = "charge_invalid"
    CHARGE_PAYEE_NOT_MERCHANT = "charge_payee_not_merchant"
    REFUND_KEY_TAKEN = "refund_key_taken"
    SETTLEMENT_ACCOUNT_NOT_SET = "settlement_account_not_set"


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
        PaymentProblem.PAYER_DEVICE_NOT_FOUND: (
            "这台手机的付款码已关闭,或已由另一台手机开通",
            "This phone's payer code is off already, or another phone has enrolled since",
        ),
        PaymentProblem.PIN_NOT_SET: ("尚未设置支付密码", "No payment PIN is set yet"),
        PaymentProblem.PIN_INCORRECT: ("支付密码错误", "The payment PIN is wrong"),
        PaymentProblem.PIN_LOCKED: (
            "支付密码错误次数过多,已锁定;请一小时后再试,或用短信验证码重新登录后解锁",
            "Too many wrong PINs: locked for an hour, or until unlocked after a login by code",
        ),
        PaymentProblem.PIN_TOO_SIMPLE: (
            "支付密码过于简单,请勿使用重复或连续数字",
            "Too easy a PIN: no one digit six times, no run up or down",
        ),
        PaymentProblem.PIN_REVERIFY: (
            "请先用短信验证码重新登录",
            "Log in again with a one-time code first",
        ),
        PaymentProblem.COLLECTION_CODE_INVALID: (
            "不是有效的收款码",
            "Not a valid collection code",
        ),
        PaymentProblem.PAYMENT_NOT_FOUND: ("找不到该笔支付", "No such payment"),
        PaymentProblem.PAYMENT_NOT_AWAITING: (
            "该笔支付已不在等待确认",
            "This payment no longer awaits the payer",
        ),
        PaymentProblem.PAYMENT_NOT_REFUNDABLE: (
            "该笔支付未完成,无法退款",
            "Only a payment that was made can be refunded",
        ),
        PaymentProblem.REFUND_EXCEEDS_PAYMENT: (
            "退款总额不能超过实付金额",
            "Refunds cannot add up to more than was paid",
        ),
        PaymentProblem.PAYMENT_TO_SELF: ("不能向自己付款", "Nobody pays themselves"),
        PaymentProblem.VOUCHER_PAYMENT_REFUNDED_WHOLE: (
            "使用消费券的订单仅支持全额退款",
            "A payment a voucher paid part of is refunded whole: all the payer paid",
        ),
        PaymentProblem.CAMPAIGN_INVALID: (
            "消费券活动设置不正确",
            "The campaign's plan does not hold",
        ),
        PaymentProblem.CAMPAIGN_NOT_FOUND: ("找不到该消费券活动", "No such voucher campaign"),
        PaymentProblem.VOUCHER_CLAIMS_CLOSED: (
            "不在领券时间内",
            "Vouchers of this campaign cannot be claimed now",
        ),
        PaymentProblem.VOUCHER_NOT_ELIGIBLE: (
            "您不在本次消费券的发放范围内",
            "This campaign's vouchers are for other residents",
        ),
        PaymentProblem.VOUCHER_ALREADY_CLAIMED: (
            "每人每期限领一张",
            "One voucher a person a campaign: you have yours",
        ),
        PaymentProblem.VOUCHERS_GONE: ("该面额消费券已领完", "None of these vouchers is left"),
        PaymentProblem.CHARGE_REFERENCE_TAKEN: (
            "该订单号已用于另一笔扣款",
            "This reference already names another charge",
        ),
        PaymentProblem.CHARGE_PAYEE_NOT_MERCHANT: (
            "收款方不是本市商户",
            "A charge is paid to a merchant of the city, and this payee is none",
        ),
        PaymentProblem.CHARGE_INVALID: (
            "扣款金额或期限不正确",
            "A charge's amount or time to confirm is out of bounds",
        ),
        PaymentProblem.REFUND_KEY_TAKEN: (
            "该退款编号已用于另一笔退款",
            "This key already names another refund",
        ),
        PaymentProblem.SETTLEMENT_ACCOUNT_NOT_SET: (
            "尚未设置结算账户",
            "No settlement account is set yet",
        ),
        PaymentProblem.CHANNEL_NOTICE_INVALID: (
            "支付通道通知格式不正确",
            "The channel notification is not in its one valid form",
        ),
    },
)
