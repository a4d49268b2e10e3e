"""The problems each operation can answer: declared where they arise, listed in the OpenAPI
document per operation and status.

A handler declares the problems of its own logic beside it:

    @post(..., responses=problems({404: [GridEventsCode.EVENT_NOT_FOUND]}))

Guards and middleware declare what they refuse with `answers`. When the app is built,
`declare_problems` adds to each route what its guards and middleware refuse and what its shape
implies (a JSON body can be malformed, too large or of another type; a parameter can be out of
range). In the document each status is then a problem+json response whose description lists
its codes with their English message, and whose `x-problem-codes` lists them for machines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from http import HTTPStatus
from typing import Any, TypeVar

from litestar import Litestar
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import OpenAPI
from litestar.routes import HTTPRoute

from backend.kernel.codes import ErrorCode, KernelCode, message
from backend.kernel.errors import PROBLEM_MEDIA_TYPE, Problem
from backend.kernel.i18n import Locale

# status -> the codes answered with it
Declared = Mapping[int, Iterable[ErrorCode]]
# What a guard or middleware answers, fixed or depending on the route it guards.
Answers = Declared | Callable[[HTTPRouteHandler], Declared]
T = TypeVar("T")

_ANSWERS = "__yimen_problems__"
# Handler parameters that are no query, path or header parameter of the request.
_NOT_PARAMETERS = frozenset(
    {"self", "request", "data", "state", "scope", "headers", "cookies", "query", "body"}
)
_JSON_BODY: Declared = {
    400: (KernelCode.VALIDATION_FAILED, KernelCode.BODY_NOT_JSON, KernelCode.TEXT_HAS_NUL),
    413: (KernelCode.BODY_TOO_LARGE,),
    415: (KernelCode.UNSUPPORTED_MEDIA_TYPE,),
}
_FORM_BODY: Declared = {
    400: (KernelCode.VALIDATION_FAILED, KernelCode.TEXT_HAS_NUL),
    413: (KernelCode.BODY_TOO_LARGE,),
}
_PARAMETERS: Declared = {400: (KernelCode.VALIDATION_FAILED,)}
# A paged list reads its `cursor` back with decode_cursor or decode_position.
_PAGED: Declared = {400: (KernelCode.CURSOR_INVALID,)}
# How the document introduces each status (Python's own phrases change between versions).
_LEADS = {
    400: "The request is malformed",
    401: "No valid login",
    403: "The caller may not do this",
    404: "Not found",
    409: "In conflict with the current state",
    412: "A precondition failed",
    413: "The request is too large",
    415: "The body's type is not accepted",
    422: "Understood, but refused",
    429: "Too many requests",
    503: "Unavailable for now",
}


@dataclass
class ProblemSpec(ResponseSpec):
    """A problem+json response of one status, and the codes it may carry."""

    codes: tuple[ErrorCode, ...] = ()


def problems(declared: Declared) -> dict[int, ResponseSpec]:
    """A handler's `responses=`: the problems its own logic answers, by status. The host adds
    those of its guards, middleware, body and parameters."""
    return {status: _spec(status, codes) for status, codes in declared.items()}


def answers(declared: Answers) -> Callable[[T], T]:
    """Mark a guard or a middleware class with the problems it answers (or a function of the
    route handler giving them), for every route it stands in front of."""

    def mark(target: T) -> T:
        setattr(target, _ANSWERS, declared)
        return target

    return mark


def _spec(status: int, codes: Iterable[ErrorCode]) -> ProblemSpec:
    ordered = tuple(sorted(set(codes)))
    listed = "\n".join(f"- `{code}`: {message(code, Locale.EN)}" for code in ordered)
    return ProblemSpec(
        data_container=Problem,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
        description=f"{_lead(status)}: a problem whose `code` is one of\n\n{listed}",
        codes=ordered,
    )


def _lead(status: int) -> str:
    return _LEADS.get(status) or HTTPStatus(status).phrase


def _answers_of(item: Any, handler: HTTPRouteHandler) -> Declared:
    target = item.middleware if isinstance(item, DefineMiddleware) else item
    declared: Answers = getattr(target, _ANSWERS, {})
    return declared(handler) if callable(declared) else declared


def _shape(handler: HTTPRouteHandler) -> list[Declared]:
    """What the request's own parts can get wrong: its body and its parameters."""
    signature = handler.parsed_fn_signature.parameters
    found = []
    data = signature.get("data")
    if data is not None:
        media_type = getattr(data.kwarg_definition, "media_type", RequestEncodingType.JSON)
        found.append(_JSON_BODY if media_type == RequestEncodingType.JSON else _FORM_BODY)
    dependencies = handler.resolve_dependencies()
    if any(name not in _NOT_PARAMETERS and name not in dependencies for name in signature):
        found.append(_PARAMETERS)
    if "cursor" in signature and "cursor" not in dependencies:
        found.append(_PAGED)
    return found


def problems_of(handler: HTTPRouteHandler) -> dict[int, tuple[ErrorCode, ...]]:
    """Every problem a route can answer, by status: its own, its guards' and middleware's, and
    those of its shape."""
    layers = handler.ownership_layers
    sources: list[Declared] = [
        *(_answers_of(guard, handler) for layer in layers for guard in layer.guards or ()),
        *(_answers_of(item, handler) for layer in layers for item in layer.middleware or ()),
        *_shape(handler),
        *(
            {status: spec.codes}
            for status, spec in (handler.responses or {}).items()
            if isinstance(spec, ProblemSpec)
        ),
    ]
    merged: dict[int, set[ErrorCode]] = {}
    for declared in sources:
        for status, codes in declared.items():
            merged.setdefault(status, set()).update(codes)
    return {status: tuple(sorted(codes)) for status, codes in sorted(merged.items())}


@dataclass
class ProblemsDocumented(OpenAPIConfig):
    """The app's OpenAPI configuration; its document gives each problem response the
    `x-problem-codes` that `declare_problems` found (operation id -> status -> codes)."""

    problem_codes: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=dict)

    def to_openapi_schema(self) -> OpenAPI:
        base = super().to_openapi_schema()
        document = _Document(**{f.name: getattr(base, f.name) for f in fields(base)})
        document.problem_codes = self.problem_codes
        return document


@dataclass
class _Document(OpenAPI):
    problem_codes: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def _exclude_fields(self) -> set[str]:
        return {"problem_codes"}

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                declared = self.problem_codes.get(operation["operationId"], {})
                for status, codes in declared.items():
                    response = operation["responses"].get(str(status))
                    if response is not None:
                        response["x-problem-codes"] = list(codes)
        return schema


def declare_problems(app: Litestar, config: ProblemsDocumented) -> None:
    """Give every route of `app` a problem response per status it can answer, and `config`
    their codes for the document."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            declared = problems_of(handler)
            others = {
                status: spec
                for status, spec in (handler.responses or {}).items()
                if not isinstance(spec, ProblemSpec)
            }
            handler.responses = {
                **others,
                **{status: _spec(status, codes) for status, codes in declared.items()},
            }
            if isinstance(handler.operation_id, str):
                config.problem_codes[handler.operation_id] = {
                    status: tuple(codes) for status, codes in declared.items()
                }


__all__ = [
    "Answers",
    "Declared",
    "ProblemSpec",
    "ProblemsDocumented",
    "answers",
    "declare_problems",
    "problems",
    "problems_of",
]
