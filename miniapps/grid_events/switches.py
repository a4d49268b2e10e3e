"""Where grid events are switched on. The host's own check covers the app's routes for a
logged-in caller; devices and Open311's public reads name no caller, so the place decides:
a sensor's grid, a request's grid, a jurisdiction."""

from __future__ import annotations

from backend.sdk import Enablement, KernelCode, NotFound

APP_ID = "grid_events"


def require_on_at(enablement: Enablement, path: str) -> None:
    if not enablement.serves(APP_ID, path):
        raise NotFound(KernelCode.MINIAPP_UNAVAILABLE)


def districts_off(enablement: Enablement) -> frozenset[str]:
    """The districts to leave out; a 404 when the app is off city-wide."""
    off = enablement.switched_off_in(APP_ID)
    if off is None:
        raise NotFound(KernelCode.MINIAPP_UNAVAILABLE)
    return off
