"""HTTP of the open platform."""

from __future__ import annotations

from litestar import Router

from miniapps.open_platform.app_controllers import APP_ROUTES
from miniapps.open_platform.publisher_controllers import PUBLISHER_ROUTES

router = Router(path="/", route_handlers=[*PUBLISHER_ROUTES, *APP_ROUTES])
