"""The error tree, and the one place that turns errors into RFC 9457 problem details.

Every error carries a member of a part's `ErrorCode` enum (see `backend.kernel.codes`), never
a bare string: mypy refuses a string, and a misspelt member fails at import."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.kernel.codes import ErrorCode, KernelCode, message
from backend.kernel.i18n import Locale, negotiate
from backend.kernel.logs import current_request_id

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://yimen.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
BEARER_REALM = "yimen"
# What RFC 6750 allows inside a quoted error_description: printable ASCII but `"` and `\`.
_UNQUOTABLE = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def bearer_challenge(*, error: str | None = None, description: str | None = None) -> str:
    """A `WWW-Authenticate` value asking for a bearer token (RFC 6750 section 3); `error`
    only when a token was sent and refused."""
    challenge = f'Bearer realm="{BEARER_REALM}"'
    if error is not None:
        challenge += f', error="{error}"'
    if description is not None:
        challenge += f', error_description="{_UNQUOTABLE.sub("", description)}"'
    return challenge


class FieldError(msgspec.Struct, frozen=True, omit_defaults=True):
    """One culprit of a refused request. `field` names it as the client wrote it: a query,
    path, header or cookie parameter by its name; a place in a JSON body by its path
    (`phone`, `home.community`, `items[2].phone`), `$` for the body as a whole. `row` is a
    row of an uploaded table, `offset` the byte (from 0) at which reading a body as JSON
    stopped."""

    field: str
    message: str
    row: int | None = None
    offset: int | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem; `code` is the stable machine-readable part of `type`. A problem
    type may add extension members beside these (RFC 9457 section 3.2): e.g. the state an
    event is in and the actions allowed in it. `request_id` is the id the answer carries in
    `X-Request-ID` and the server's log lines about the request carry too, for a person
    reporting a problem to quote."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
    request_id: str | None = None


# Members a problem's extensions may not replace: those every problem has.
_PROBLEM_MEMBERS = frozenset(Problem.__struct_fields__)


class YimenError(Exception):
    """A domain error: a stable code, an HTTP status, and parameters for the message.
    `extensions` are members the problem carries beside the standard ones, for clients to
    read (the message's parameters are not published, only the message)."""

    status = 400

    def __init__(
        self,
        code: ErrorCode,
        *,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        clash = _PROBLEM_MEMBERS.intersection(extensions or {})
        if clash:
            raise ValueError(f"extensions may not replace a problem's {sorted(clash)}")
        self.code = code
        self.params = params
        self.errors = errors
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})


class BadRequest(YimenError):
    status = 400


class Unauthorized(YimenError):
    """401: no login, or credentials refused. The answer challenges for a bearer token
    (`WWW-Authenticate: Bearer realm="yimen"`), as HTTP requires of every 401."""

    status = 401


class TokenRefused(Unauthorized):
    """401 for a bearer token that was sent and refused (malformed, forged, expired, revoked).
    Its challenge names RFC 6750's `invalid_token` and describes the code in English (the
    header allows only ASCII), so a client tells it from a request that sent no token."""

    def __init__(self, code: ErrorCode, **params: Any) -> None:
        description = message(code, Locale.EN, params)
        challenge = bearer_challenge(error="invalid_token", description=description)
        super().__init__(code, headers={"WWW-Authenticate": challenge}, **params)


class Forbidden(YimenError):
    status = 403


class NotFound(YimenError):
    status = 404


class Conflict(YimenError):
    status = 409


class PreconditionFailed(YimenError):
    """A condition the client set (`If-Match`) no longer holds: RFC 9110's 412."""

    status = 412


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
    extensions: Mapping[str, Any] | None = None,
) -> Response[Any]:
    locale = negotiate(request.headers.get("accept-language"))
    headers = {"Content-Language": str(locale), **(headers or {})}
    if status == 401 and not any(name.lower() == "www-authenticate" for name in headers):
        headers["WWW-Authenticate"] = bearer_challenge()
    problem = Problem(
        type=PROBLEM_BASE + code.value,
        title=message(code, locale, params),
        status=status,
        code=code.value,
        instance=request.url.path,
        errors=errors,
        request_id=current_request_id(),
    )
    content: Problem | dict[str, Any] = problem
    if extensions:
        content = {**msgspec.to_builtins(problem), **extensions}
    for observer in _OBSERVERS:
        observer(request, status, code.value)
    return Response(
        content,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def handle_domain_error(request: Request[Any, Any, Any], exc: YimenError) -> Response[Problem]:
    return problem_response(
        request,
        code=exc.code,
        status=exc.status,
        params=exc.params,
        errors=exc.errors,
        headers=exc.headers,
        extensions=exc.extensions,
    )


def handle_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    errors = culprits(request, exc) if isinstance(exc, ValidationException) else None
    return problem_response(
        request,
        code=_STATUS_CODES.get(exc.status_code, KernelCode.HTTP_ERROR),
        status=exc.status_code,
        errors=errors,
        headers=exc.headers,
    )


# Litestar's words for a required parameter that was not sent: the only place it names it.
_MISSING_PARAMETER = re.compile(
    r"^Missing required (?P<kind>\w+) parameter (?P<q>['\"])(?P<name>.*)(?P=q) for path "
)
# msgspec's words for a field an object lacks or must not have: it names the field only here.
_FIELD_OF_OBJECT = re.compile(
    r"^Object (?:missing required|contains unknown) field `(?P<name>.*)`$"
)
BODY_ROOT = "$"


def culprits(request: Request[Any, Any, Any], exc: ValidationException) -> list[FieldError] | None:
    """What Litestar refused, each named as the client wrote it: a query, path, header or
    cookie parameter by its name in the request, and a place in the JSON body by its path
    (`home.community`, `items[2].phone`; `$` for the body as a whole)."""
    if isinstance(exc.extra, list):
        return [_culprit(request, e) for e in exc.extra if isinstance(e, dict)]
    missing = _MISSING_PARAMETER.match(exc.detail)
    if missing is None:
        return None
    return [
        FieldError(field=missing["name"], message=f"Missing required {missing['kind']} parameter")
    ]


def _culprit(request: Request[Any, Any, Any], error: dict[str, Any]) -> FieldError:
    key, text = str(error.get("key", "")), str(error.get("message", ""))
    if text == repr(key):
        # Litestar's KeyError for a value that never arrived, such as an empty body.
        text = "Required, and not sent"
    if error.get("source") != "body":
        return FieldError(field=_parameter_name(request, key), message=text)
    # Litestar names the body parameter `data`, and a nested place without that prefix.
    # msgspec writes a value inside an object of any keys as `[...]`, naming no key the
    # client could find: the place named is the object that holds it.
    path = "" if key == "data" else key.split("[...]", 1)[0]
    named = _FIELD_OF_OBJECT.match(text)
    if named is not None:
        path = f"{path}.{named['name']}" if path else named["name"]
    return FieldError(field=path or BODY_ROOT, message=text)


def _parameter_name(request: Request[Any, Any, Any], key: str) -> str:
    """The name a parameter has in the request, which Litestar reports by the name of the
    handler's argument (`event_state` for `?state=`)."""
    handler = request.scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    field = signature.parameters.get(key) if signature is not None else None
    declared = getattr(field, "kwarg_definition", None)
    for alias in ("name", "query", "header", "cookie"):
        name = getattr(declared, alias, None)
        if isinstance(name, str) and name:
            return name
    return key


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
    "BEARER_REALM",
    "PROBLEM_MEDIA_TYPE",
    "BadRequest",
    "Conflict",
    "FieldError",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "Problem",
    "TokenRefused",
    "TooManyRequests",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMediaType",
    "YimenError",
    "observe_problems",
]
