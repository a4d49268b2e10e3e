"""Where every request enters an app, before any part's middleware sees it."""

from __future__ import annotations

from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest, FieldError
from backend.kernel.events.outbox import enter_bus, leave_bus
from backend.kernel.problems import answers
from backend.kernel.services import Services


def _nul_culprits(scope: Scope) -> list[FieldError]:
    """The query parameters holding U+0000 in their name or value, by name; a path holding
    it is named `path`, as no route has matched it yet."""
    query = scope.get("query_string", b"").decode("latin-1")
    culprits = [
        FieldError(field=name, message="holds U+0000")
        for name, value in parse_qsl(query, keep_blank_values=True)
        if "\x00" in name or "\x00" in value
    ]
    if "\x00" in scope["path"]:
        culprits.insert(0, FieldError(field="path", message="holds U+0000"))
    return culprits


@answers({400: [KernelCode.TEXT_HAS_NUL]})
class RequestEntry:
    """A NUL in the URL is a 400: PostgreSQL cannot compare text holding it, and no path or
    parameter of ours has one. What the request emits is handed on by its own app's bus,
    and the request is counted in flight, for in-process jobs to give way to it. One
    middleware for all three: a layer of its own cost every request two microseconds."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and (
            "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")
        ):
            raise BadRequest(KernelCode.TEXT_HAS_NUL, errors=_nul_culprits(scope))
        token = enter_bus(self.services.bus)
        requests = self.services.requests
        requests.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            requests.in_flight -= 1
            leave_bus(token)
