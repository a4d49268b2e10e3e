"""HTTP of the open platform."""

from __future__ import annotations

from litestar import Router

from miniapps.open_platform.app_controllers import APP_ROUTES
from miniapps.open_platform.district_controllers import DISTRICT_ROUTES
from miniapps.open_platform.launch_controllers import LAUNCH_ROUTES
from miniapps.open_platform.open_controllers import OPEN_ROUTES
from miniapps.open_platform.publisher_controllers import PUBLISHER_ROUTES
from miniapps.open_platform.release_controllers import RELEASE_ROUTES
from miniapps.open_platform.usage_controllers import USAGE_ROUTES
from miniapps.open_platform.webhook_controllers import WEBHOOK_ROUTES

router = Router(
    path="/",
    route_handlers=[
        *PUBLISHER_ROUTES,
        *APP_ROUTES,
        *RELEASE_ROUTES,
        *DISTRICT_ROUTES,
        *LAUNCH_ROUTES,
        *OPEN_ROUTES,
        *WEBHOOK_ROUTES,
        *USAGE_ROUTES,
    ],
)
