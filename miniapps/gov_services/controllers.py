"""HTTP of the service engine: the catalogue, residents' applications and staff work."""

from __future__ import annotations

from litestar import Router

from miniapps.gov_services import material_controllers, resident_controllers

router = Router(
    path="/",
    route_handlers=[
        # a resident's applications
        *resident_controllers.ROUTES,
        *material_controllers.ROUTES,
    ],
)
