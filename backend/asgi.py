"""The ASGI app a server imports: settings from the environment, and a line in the log per
request served when the settings ask for one (by default in dev)."""

from __future__ import annotations

import logging
import sys
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from backend.app import create_app
from backend.kernel.settings import get_settings

log = logging.getLogger("yimen.access")


class AccessLog:
    """Logs `GET /v1/launcher 200 3.1 ms` once each HTTP request is answered. The path is
    the raw one, still percent-encoded and without its query: a query may carry a code or
    a token, and a decoded path could break the line with a newline of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        await self._answer(scope, receive, send)

    async def _answer(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before it answers

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            path = scope.get("raw_path") or scope["path"].encode()
            took = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1f ms", scope["method"], path.decode("latin-1"), status, took)


def _with_access_log(app: ASGIApp) -> ASGIApp:
    """Its own handler, with the time of day: the app's log format has none, and its level
    (YIMEN_LOG_LEVEL) is for the app's own messages, not for a log asked for by name."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return AccessLog(app)


settings = get_settings()
app: ASGIApp = create_app(settings)
if settings.logs_access:
    app = _with_access_log(app)
