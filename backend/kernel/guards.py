"""Guards for routes of the host and of mini-apps; they read only the token's claims."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.kernel.claims import Claims
from backend.kernel.codes import KernelCode
from backend.kernel.errors import Forbidden, Unauthorized
from backend.kernel.problems import answers
from backend.kernel.roles import Role

# Guards are async: Litestar runs a sync guard in a worker thread, on every request.
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]
PathSource = str | Callable[[ASGIConnection[Any, Any, Any, Any]], str]
# How the OpenAPI document marks routes that need a login.
BEARER_TOKEN: list[dict[str, list[str]]] = [{"BearerToken": []}]
# The `opt` key of a route whose bearer token is its own to check (the metrics scrape's),
# not a login: the app-wide reading of access tokens leaves it alone.
OWN_BEARER = "own_bearer"


def claims_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Claims:
    claims = connection.scope.get("user")
    if not isinstance(claims, Claims):
        raise Unauthorized(KernelCode.UNAUTHENTICATED)
    return claims


def requires_role(*roles: Role) -> Guard:
    """The caller holds at least one of `roles`."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        holding_role(connection, *roles)

    return answers({401: [KernelCode.UNAUTHENTICATED], 403: [KernelCode.FORBIDDEN]})(guard)


@answers({401: [KernelCode.UNAUTHENTICATED], 403: [KernelCode.FORBIDDEN]})
class RoleHeld:
    """`requires_role` as a route's middleware, for the hottest routes: checked, like a
    guard, before the body is read, without the copy of the handler Litestar makes for
    each guard it runs. Put it last among the route's middleware, where a guard would run."""

    def __init__(self, app: ASGIApp, roles: tuple[Role, ...]) -> None:
        self.app = app
        self.roles = roles

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        claims = scope.get("user")
        if not isinstance(claims, Claims):
            raise Unauthorized(KernelCode.UNAUTHENTICATED)
        if not claims.has_role(*self.roles):
            raise Forbidden(KernelCode.FORBIDDEN)
        await self.app(scope, receive, send)


def role_held(*roles: Role) -> DefineMiddleware:
    """The middleware that lets through only callers holding one of `roles` (`RoleHeld`)."""
    return DefineMiddleware(RoleHeld, roles=roles)


def holding_role(connection: ASGIConnection[Any, Any, Any, Any], *roles: Role) -> Claims:
    """The caller's claims if they hold at least one of `roles`: `requires_role` inside a
    handler, for the hottest routes, since Litestar copies the handler for every guard."""
    claims = claims_of(connection)
    if not claims.has_role(*roles):
        raise Forbidden(KernelCode.FORBIDDEN)
    return claims


def requires_scope(path: PathSource, *roles: Role) -> Guard:
    """The caller holds `path` (or an org unit above it) through one of `roles` (any role
    if none are named). `path` is fixed, or read from the connection, e.g. a path parameter."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        wanted = path(connection) if callable(path) else path
        if not claims_of(connection).covers(wanted, *roles):
            raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)

    return answers({401: [KernelCode.UNAUTHENTICATED], 403: [KernelCode.SCOPE_NOT_ALLOWED]})(guard)


def path_param(name: str) -> Callable[[ASGIConnection[Any, Any, Any, Any]], str]:
    """Read an org path from a path or query parameter, for `requires_scope`."""

    def read(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        value = connection.path_params.get(name) or connection.query_params.get(name)
        return str(value or "")

    return read


@answers({401: [KernelCode.UNAUTHENTICATED]})
class SignedIn:
    """The routes behind it need a login (401 without). A middleware rather than a guard:
    Litestar copies the route handler for every guard it runs, which cost the launcher a
    third of its time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not isinstance(scope.get("user"), Claims):
            raise Unauthorized(KernelCode.UNAUTHENTICATED)
        await self.app(scope, receive, send)
