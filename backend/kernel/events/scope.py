"""Each request emits through the bus of the app it reached."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from backend.kernel.events.outbox import bus_in_use
from backend.kernel.services import services_of


class EmitsThroughItsApp:
    """Events a request emits are handed on by its own app's job queue, once committed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bus = services_of(scope["litestar_app"]).bus
        if bus is None:
            await self.app(scope, receive, send)
            return
        with bus_in_use(bus):
            await self.app(scope, receive, send)
