"""Auth's error codes: one-time-code login, sessions and tokens."""

from __future__ import annotations

from backend.kernel.codes import ErrorCode, register_messages


class AuthCode(ErrorCode):
    """What login and sessions refuse; a bad access token is the kernel's `token_invalid`."""

    SMS_UNAVAILABLE = "sms_unavailable"
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
        AuthCode.SMS_UNAVAILABLE: ("短信服务暂不可用", "The SMS service is not available"),
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
