"""The error tree, and the one place that turns errors into RFC 9457 problem details.

Every error carries a member of a part's `ErrorCode` enum (see `backend.kernel.codes`), never
a bare string: mypy refuses a string, and a misspelt member fails at import."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.kernel.codes import ErrorCode, KernelCode, message
from backend.kernel.i18n import negotiate

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://yimen.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


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
        code: ErrorCode,
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


_STATUS_CODES = {
    400: KernelCode.VALIDATION_FAILED,
    401: KernelCode.UNAUTHENTICATED,
    403: KernelCode.FORBIDDEN,
    404: KernelCode.NOT_FOUND,
    405: KernelCode.METHOD_NOT_ALLOWED,
    409: KernelCode.CONFLICT,
    413: KernelCode.BODY_TOO_LARGE,
    415: KernelCode.UNSUPPORTED_MEDIA_TYPE,
    429: KernelCode.TOO_MANY_REQUESTS,
}


# Told of every problem answered, by any app of the process: (request, status, code). The test
# suite compares what it received with what the OpenAPI document declares.
ProblemObserver = Callable[[Request[Any, Any, Any], int, str], None]
_OBSERVERS: list[ProblemObserver] = []


def observe_problems(observer: ProblemObserver) -> None:
    """Have `observer` told of every problem answer from now on."""
    _OBSERVERS.append(observer)


def problem_response(
    request: Request[Any, Any, Any],
    *,
    code: ErrorCode,
    status: int,
    params: Mapping[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[Problem]:
    locale = negotiate(request.headers.get("accept-language"))
    problem = Problem(
        type=PROBLEM_BASE + code.value,
        title=message(code, locale, params),
        status=status,
        code=code.value,
        instance=request.url.path,
        errors=errors,
    )
    for observer in _OBSERVERS:
        observer(request, status, code.value)
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
        code=_STATUS_CODES.get(exc.status_code, KernelCode.HTTP_ERROR),
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
    return problem_response(
        request, code=KernelCode.INTERNAL_ERROR, status=HTTP_500_INTERNAL_SERVER_ERROR
    )


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
    "observe_problems",
]
