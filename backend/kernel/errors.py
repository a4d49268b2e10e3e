"""The error tree, and the one place that turns errors into RFC 9457 problem details."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.kernel.i18n import Locale, negotiate

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://yimen.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

_MESSAGES: dict[str, dict[Locale, str]] = {}


def register_messages(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add (zh-CN, en) messages for error codes; a code may be registered once."""
    for code, (zh, en) in messages.items():
        if code in _MESSAGES and _MESSAGES[code] != {Locale.ZH_CN: zh, Locale.EN: en}:
            raise ValueError(f"error code {code!r} registered twice with different messages")
        _MESSAGES[code] = {Locale.ZH_CN: zh, Locale.EN: en}


def message(code: str, locale: Locale, params: Mapping[str, Any] | None = None) -> str:
    text = _MESSAGES.get(code, _MESSAGES["internal_error"])[locale]
    return text.format(**params) if params else text


class FieldError(msgspec.Struct, frozen=True, omit_defaults=True):
    field: str
    message: str
    row: int | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem; `code` is the stable machine-readable part of `type`."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class YimenError(Exception):
    """A domain error: a stable code, an HTTP status, and parameters for the message."""

    status = 400

    def __init__(
        self,
        code: str,
        *,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        self.errors = errors
        self.headers = dict(headers or {})


class BadRequest(YimenError):
    status = 400


class Unauthorized(YimenError):
    status = 401


class Forbidden(YimenError):
    status = 403


class NotFound(YimenError):
    status = 404


class Conflict(YimenError):
    status = 409


class PayloadTooLarge(YimenError):
    status = 413


class UnsupportedMediaType(YimenError):
    status = 415


class Unprocessable(YimenError):
    status = 422


class TooManyRequests(YimenError):
    status = 429


register_messages(
    {
        "internal_error": ("服务器内部错误,请稍后再试", "Internal server error, please try again"),
        "validation_failed": ("请求内容不正确", "The request is not valid"),
        "unauthenticated": ("请先登录", "Authentication required"),
        "token_invalid": ("登录凭证无效或已过期", "The access token is invalid or expired"),
        "forbidden": ("没有权限", "You do not have permission for this"),
        "scope_not_allowed": ("超出您的管辖范围", "Outside the area you administer"),
        "not_found": ("找不到该资源", "Not found"),
        "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
        "too_many_requests": ("请求过于频繁,请稍后再试", "Too many requests, slow down"),
        "conflict": ("与当前状态冲突", "The request conflicts with the current state"),
        "http_error": ("请求无法完成", "The request could not be completed"),
        "body_too_large": ("请求内容过大", "The request body is too large"),
        "unsupported_media_type": (
            "不支持该内容类型(Content-Type)",
            "This Content-Type is not accepted here",
        ),
    }
)

_STATUS_CODES = {
    400: "validation_failed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def problem_response(
    request: Request[Any, Any, Any],
    *,
    code: str,
    status: int,
    params: Mapping[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[Problem]:
    locale = negotiate(request.headers.get("accept-language"))
    problem = Problem(
        type=PROBLEM_BASE + code,
        title=message(code, locale, params),
        status=status,
        code=code,
        instance=request.url.path,
        errors=errors,
    )
    return Response(
        problem,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Content-Language": str(locale), **(headers or {})},
    )


def handle_domain_error(request: Request[Any, Any, Any], exc: YimenError) -> Response[Problem]:
    return problem_response(
        request,
        code=exc.code,
        status=exc.status,
        params=exc.params,
        errors=exc.errors,
        headers=exc.headers,
    )


def handle_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    errors = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        errors = [
            FieldError(field=str(e.get("key", "")), message=str(e.get("message", "")))
            for e in exc.extra
            if isinstance(e, dict)
        ]
    return problem_response(
        request,
        code=_STATUS_CODES.get(exc.status_code, "http_error"),
        status=exc.status_code,
        errors=errors,
        headers=exc.headers,
    )


# What Litestar raises when a client hangs up before its request body has arrived: on
# mobile networks that is routine, not a fault of ours worth a traceback.
_CLIENT_GONE = "client disconnected prematurely"


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    if isinstance(exc, HTTPException) and exc.detail == _CLIENT_GONE:
        log.info("client left during %s %s", request.method, request.url.path)
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, code="internal_error", status=HTTP_500_INTERNAL_SERVER_ERROR)


# How the OpenAPI document describes a 400: Litestar would describe its own validation-error
# shape, which no client of ours ever receives.
PROBLEM_RESPONSES = {
    400: ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_MEDIA_TYPE,
        description="The request is not valid: a problem naming its code and fields",
        generate_examples=False,
    )
}

EXCEPTION_HANDLERS = {
    YimenError: handle_domain_error,
    HTTPException: handle_http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_unexpected,
}

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "BadRequest",
    "Conflict",
    "FieldError",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "Problem",
    "TooManyRequests",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMediaType",
    "YimenError",
    "register_messages",
]
