"""Error codes: one `ErrorCode` enum per part, each registered with its messages at import.

A code is the stable, machine-readable part of a problem answer; clients branch on it, so its
string never changes. Each part declares its codes as members of its own subclass of
`ErrorCode` and registers a (zh-CN, en) message for every member. A typo in a member is then
an AttributeError at import, and a code without a message fails `register_messages`, instead
of either answering as "internal_error" at run time.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from backend.kernel.i18n import Locale


class ErrorCode(enum.StrEnum):
    """The base of every part's error codes; the errors of `backend.kernel.errors` take
    only a member of one of its subclasses."""


E = TypeVar("E", bound=ErrorCode)

_MESSAGES: dict[str, dict[Locale, str]] = {}
_OWNERS: dict[str, str] = {}


def register_messages(codes: type[E], messages: Mapping[E, tuple[str, str]]) -> None:
    """Add the (zh-CN, en) message of every member of `codes`.

    Refuses, naming the codes, an enum that is no `ErrorCode`, a key that is not a member of
    `codes`, a member without a message, and a code string that another enum already
    registered with different messages (two parts answering one code two ways)."""
    if not issubclass(codes, ErrorCode):
        raise TypeError(f"{codes.__name__} is not an ErrorCode")
    strays = [key for key in messages if not isinstance(key, codes)]
    if strays:
        raise ValueError(f"{codes.__name__} has messages for codes not its own: {strays!r}")
    missing = [member.value for member in codes if member not in messages]
    if missing:
        raise ValueError(f"{codes.__name__} has no message for {', '.join(missing)}")
    texts = {
        member.value: {Locale.ZH_CN: zh, Locale.EN: en} for member, (zh, en) in messages.items()
    }
    for code, text in texts.items():
        if code in _MESSAGES and _MESSAGES[code] != text:
            raise ValueError(
                f"error code {code!r} of {codes.__name__} is registered by {_OWNERS[code]} "
                "with different messages"
            )
    for code, text in texts.items():
        _MESSAGES[code] = text
        _OWNERS.setdefault(code, codes.__name__)


def message(code: str, locale: Locale, params: Mapping[str, Any] | None = None) -> str:
    text = _MESSAGES.get(code, _MESSAGES[KernelCode.INTERNAL_ERROR])[locale]
    return text.format(**params) if params else text


class KernelCode(ErrorCode):
    """The kernel's own codes: HTTP's generic refusals, request parsing, guards, paging,
    the district switches, idempotency, the working-day calendar and photos."""

    INTERNAL_ERROR = "internal_error"
    VALIDATION_FAILED = "validation_failed"
    UNAUTHENTICATED = "unauthenticated"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - an error code, not a secret
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an error code, not a secret
    FORBIDDEN = "forbidden"
    SCOPE_NOT_ALLOWED = "scope_not_allowed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    TOO_MANY_REQUESTS = "too_many_requests"
    RATE_LIMITED = "rate_limited"
    CONFLICT = "conflict"
    HTTP_ERROR = "http_error"
    BODY_TOO_LARGE = "body_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    BODY_NOT_JSON = "body_not_json"
    TEXT_HAS_NUL = "text_has_nul"
    DATETIME_NEEDS_TIMEZONE = "datetime_needs_timezone"
    CURSOR_INVALID = "cursor_invalid"
    MINIAPP_UNAVAILABLE = "miniapp_unavailable"
    MINIAPP_UNKNOWN = "miniapp_unknown"
    DISTRICT_INVALID = "district_invalid"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_PROGRESS = "idempotency_key_in_progress"
    CALENDAR_NOTICE_INVALID = "calendar_notice_invalid"
    METRICS_TOKEN_INVALID = "metrics_token_invalid"  # noqa: S105 - an error code, not a secret
    PHOTO_INVALID = "photo_invalid"
    PHOTO_TYPE_UNSUPPORTED = "photo_type_unsupported"


register_messages(
    KernelCode,
    {
        KernelCode.INTERNAL_ERROR: (
            "服务器内部错误,请稍后再试",
            "Internal server error, please try again",
        ),
        KernelCode.VALIDATION_FAILED: ("请求内容不正确", "The request is not valid"),
        KernelCode.UNAUTHENTICATED: ("请先登录", "Authentication required"),
        KernelCode.TOKEN_INVALID: (
            "登录凭证无效,请重新登录",
            "The access token is not valid; log in again",
        ),
        KernelCode.TOKEN_EXPIRED: (
            "登录已过期,请刷新",
            "The access token has expired; refresh it",
        ),
        KernelCode.TOKEN_EXPIRED: ("登录已过期,请刷新", "The access token has expired; refresh it"),
        KernelCode.FORBIDDEN: ("没有权限", "You do not have permission for this"),
        KernelCode.SCOPE_NOT_ALLOWED: ("超出您的管辖范围", "Outside the area you administer"),
        KernelCode.NOT_FOUND: ("找不到该资源", "Not found"),
        KernelCode.METHOD_NOT_ALLOWED: ("不支持该请求方法", "Method not allowed"),
        KernelCode.TOO_MANY_REQUESTS: ("请求过于频繁,请稍后再试", "Too many requests, slow down"),
        KernelCode.RATE_LIMITED: (
            "请求过于频繁,请{retry_after}秒后再试",
            "Too many requests; try again in {retry_after} s",
        ),
        KernelCode.CONFLICT: ("与当前状态冲突", "The request conflicts with the current state"),
        KernelCode.HTTP_ERROR: ("请求无法完成", "The request could not be completed"),
        KernelCode.BODY_TOO_LARGE: ("请求内容过大", "The request body is too large"),
        KernelCode.UNSUPPORTED_MEDIA_TYPE: (
            "不支持该内容类型(Content-Type)",
            "This Content-Type is not accepted here",
        ),
        KernelCode.BODY_NOT_JSON: (
            "请求内容不是有效的 JSON(UTF-8 编码,嵌套不超过几百层)",
            "The body is not valid JSON (UTF-8, nested at most a few hundred levels)",
        ),
        KernelCode.TEXT_HAS_NUL: (
            "请求中含有空字符(U+0000)",
            "The request contains a NUL character (U+0000)",
        ),
        KernelCode.DATETIME_NEEDS_TIMEZONE: (
            "时间须带时区,例如 2026-01-01T08:00:00+08:00",
            "A time needs its zone, e.g. 2026-01-01T08:00:00+08:00",
        ),
        KernelCode.CURSOR_INVALID: ("分页游标无效", "The cursor is not valid"),
        KernelCode.MINIAPP_UNAVAILABLE: ("该服务暂不可用", "This service is not available here"),
        KernelCode.MINIAPP_UNKNOWN: ("没有这个服务", "No such mini-app"),
        KernelCode.DISTRICT_INVALID: ("请指定一个区", "Name a district"),
        KernelCode.IDEMPOTENCY_KEY_INVALID: (
            "Idempotency-Key 格式不正确",
            "The Idempotency-Key is malformed",
        ),
        KernelCode.IDEMPOTENCY_KEY_REUSED: (
            "该 Idempotency-Key 已用于另一个请求",
            "This Idempotency-Key was used for a different request",
        ),
        KernelCode.IDEMPOTENCY_KEY_IN_PROGRESS: (
            "相同请求正在处理中",
            "The same request is still running",
        ),
        KernelCode.CALENDAR_NOTICE_INVALID: (
            "放假安排有误,日历未作任何更改",
            "The holiday notice has errors; the calendar was not changed",
        ),
        KernelCode.METRICS_TOKEN_INVALID: (
            "监控指标的访问令牌缺失或不正确",
            "The metrics token is missing or wrong",
        ),
        KernelCode.PHOTO_INVALID: (
            "照片须为 JPEG 或 PNG,且不超过 5 MB",
            "A photo must be a JPEG or PNG of at most 5 MB",
        ),
        KernelCode.PHOTO_TYPE_UNSUPPORTED: (
            "照片须以 image/jpeg、image/png 或 multipart/form-data 上传,收到的是 {received}",
            "Send a photo as image/jpeg, image/png or multipart/form-data; got {received}",
        ),
    },
)

__all__ = ["ErrorCode", "KernelCode", "message", "register_messages"]
