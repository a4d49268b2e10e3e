"""Auth's error codes: one-time-code login, sessions and tokens."""

from __future__ import annotations

from backend.kernel.codes import ErrorCode, register_messages


class AuthCode(ErrorCode):
    """What login and sessions refuse; a bad access token is the kernel's `token_invalid`."""

    SMS_BAD_NUMBER = "sms_bad_number"
    SMS_REJECTED = "sms_template_rejected"
    SMS_THROTTLED = "sms_throttled"
    SMS_FAILED = "sms_failed"
    OTP_REQUEST_UNKNOWN = "otp_request_unknown"
    OTP_TOO_SOON = "otp_too_soon"
    OTP_PHONE_LIMIT = "otp_phone_limit"
    OTP_IP_LIMIT = "otp_ip_limit"
    OTP_INVALID = "otp_invalid"
    OTP_LOCKED = "otp_locked"
    REFRESH_INVALID = "refresh_invalid"
    SESSION_ENDED = "session_ended"
    REFRESH_REUSED = "refresh_reused"
    ACCOUNT_DISABLED = "account_disabled"
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - an error code, not a secret


register_messages(
    AuthCode,
    {
        AuthCode.SMS_BAD_NUMBER: (
            "该手机号无法接收短信,请检查号码",
            "This phone number cannot receive text messages; check the number",
        ),
        AuthCode.SMS_REJECTED: (
            "短信服务暂不可用,请稍后再试",
            "The SMS service refused the message; try again later",
        ),
        AuthCode.SMS_THROTTLED: (
            "短信发送过于频繁,请稍后再试",
            "The SMS service is sending this phone too many texts; try again later",
        ),
        AuthCode.SMS_FAILED: (
            "验证码短信发送失败,请重新获取",
            "The code could not be sent; request a new one",
        ),
        AuthCode.OTP_REQUEST_UNKNOWN: ("没有这个验证码请求", "No such code request"),
        AuthCode.OTP_TOO_SOON: (
            "验证码发送过于频繁,请{retry_after}秒后再试",
            "A code was sent recently; try again in {retry_after} s",
        ),
        AuthCode.OTP_PHONE_LIMIT: (
            "该手机号今日验证码次数过多,请稍后再试",
            "Too many codes for this phone; try again later",
        ),
        AuthCode.OTP_IP_LIMIT: ("请求过于频繁,请稍后再试", "Too many codes from this address"),
        AuthCode.OTP_INVALID: ("验证码错误或已过期", "The code is wrong or has expired"),
        AuthCode.OTP_LOCKED: (
            "验证码错误次数过多,请重新获取",
            "Too many wrong codes; request a new one",
        ),
        AuthCode.REFRESH_INVALID: ("登录已失效,请重新登录", "The session has ended; log in again"),
        AuthCode.SESSION_ENDED: ("您已退出登录,请重新登录", "This session was ended; log in again"),
        AuthCode.REFRESH_REUSED: (
            "检测到登录凭证被重复使用,已退出所有相关登录",
            "A used refresh token was presented again; the session is revoked",
        ),
        AuthCode.ACCOUNT_DISABLED: ("账号已停用", "This account is disabled"),
        AuthCode.TOKEN_REVOKED: (
            "登录已被撤销,请重新登录",
            "This session was revoked; log in again",
        ),
    },
)

__all__ = ["AuthCode"]
