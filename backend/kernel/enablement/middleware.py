"""Switched-off mini-apps answer 404 where they are off."""

from __future__ import annotations

from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.kernel.claims import Claims
from backend.kernel.codes import KernelCode
from backend.kernel.enablement.service import districts_of
from backend.kernel.errors import NotFound, Unauthorized
from backend.kernel.problems import Declared, answers
from backend.kernel.services import services_of


def _refusals(handler: HTTPRouteHandler) -> Declared:
    if handler.opt.get("signed_by_sender"):
        return {}
    return {401: [KernelCode.UNAUTHENTICATED], 404: [KernelCode.MINIAPP_UNAVAILABLE]}


@answers(_refusals)
class SwitchedOn:
    """A mini-app's routes exist only where the app is switched on for the caller, who must
    be logged in. A middleware rather than a guard: Litestar copies the route handler for
    every guard it runs, and this check runs on every mini-app request."""

    def __init__(self, app: ASGIApp, app_id: str) -> None:
        self.app = app
        self.app_id = app_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not scope["route_handler"].opt.get("signed_by_sender"):
            claims = scope.get("user")
            if not isinstance(claims, Claims):
                raise Unauthorized(KernelCode.UNAUTHENTICATED)
            enablement = services_of(scope["litestar_app"]).enablement
            if not enablement.enabled_for(self.app_id, districts_of(claims)):
                raise NotFound(KernelCode.MINIAPP_UNAVAILABLE)
        await self.app(scope, receive, send)
