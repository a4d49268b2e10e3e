"""What the operators see of each request: its id, its count and time in the metrics, and a
line in the access log when asked for.

It sits outside the app's router and its exception handling, so that it sees every request,
a 404 for an unknown path or a problem answer included, and so that a problem's body carries
the id of the request it answers. One layer for all three: each layer costs every request.
"""

from __future__ import annotations

import logging
import random
import re
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from backend.kernel.logs import ACCESS_LOGGER, REQUEST_ID
from backend.kernel.metrics import REQUESTS, UNMATCHED_ROUTE

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER = REQUEST_ID_HEADER.lower().encode()
# An id a proxy or client sent is kept when it is short and plain: it is echoed into a
# header, the logs and problem bodies. Anything else is replaced, never refused.
_SANE_ID = re.compile(rb"[A-Za-z0-9._:=+/@-]{1,128}")


def _request_id(scope: HTTPScope) -> str:
    for name, value in scope["headers"]:
        if name == _HEADER:
            if _SANE_ID.fullmatch(value):
                return value.decode()
            break
    # Unique enough to find a request by, not a secret: the fast generator, which the
    # random module reseeds in each forked worker.
    return f"{random.getrandbits(64):016x}"


class RequestObserver:
    """Gives each HTTP request an id (a sane incoming `X-Request-ID`, else a fresh one),
    answers it in `X-Request-ID`, counts the request by its route template and status,
    and logs `GET /v1/launcher 200 3.1 ms` once it is answered if `access_log`."""

    def __init__(self, app: ASGIApp, *, access_log: bool = False) -> None:
        self.app = app
        self.counts = REQUESTS
        self.access = logging.getLogger(ACCESS_LOGGER) if access_log else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        await self._observe(scope, receive, send)

    async def _observe(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = _request_id(scope)
        echoed = (_HEADER, request_id.encode())
        status = 500  # what the client sees if the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            took = time.perf_counter() - started
            route = scope.get("path_template", UNMATCHED_ROUTE)
            self.counts.count(scope["method"], route, status, took)
            if self.access is not None:
                self._log(scope, status, took)
            REQUEST_ID.reset(token)

    def _log(self, scope: HTTPScope, status: int, took: float) -> None:
        """The path is the raw one, still percent-encoded and without its query: a query
        may carry a code or a token, and a decoded path could break the line with a
        newline of its own."""
        assert self.access is not None
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        method, ms = scope["method"], took * 1000
        self.access.info(
            "%s %s %d %.1f ms",
            method,
            path,
            status,
            ms,
            extra={
                "fields": {
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round(ms, 1),
                }
            },
        )


__all__ = ["REQUEST_ID_HEADER", "RequestObserver"]
