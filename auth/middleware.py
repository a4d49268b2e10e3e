"""Reads the bearer token of every request; authorization then needs no database read."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from auth.errors import AuthCode
from auth.runtime import AuthRuntime
from backend.kernel.codes import KernelCode
from backend.kernel.errors import TokenRefused, Unauthorized
from backend.kernel.guards import OWN_BEARER
from backend.kernel.problems import answers
from backend.kernel.services import services_of


@answers({401: [KernelCode.TOKEN_INVALID, KernelCode.TOKEN_EXPIRED, AuthCode.TOKEN_REVOKED]})
class BearerTokenMiddleware:
    """Puts the verified Claims (or None) into `scope["user"]`; a bad token is a 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["user"] = None
            if OWN_BEARER in scope["route_handler"].opt:
                await self.app(scope, receive, send)
                return
            token = _bearer(scope)
            if token is not None:
                runtime = services_of(scope["litestar_app"]).runtime(AuthRuntime)
                scope["user"] = await runtime.tokens.verify(token)
                scope["auth"] = token
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            if kind.lower() != "bearer":
                # Another scheme is no bearer token refused: RFC 6750 then names no error.
                raise Unauthorized(KernelCode.TOKEN_INVALID)
            if not token.strip():
                raise TokenRefused(KernelCode.TOKEN_INVALID)
            return token.strip()
    return None
