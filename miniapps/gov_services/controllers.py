"""HTTP of the service engine: the catalogue, residents' applications and staff work."""

from __future__ import annotations

from litestar import Router

from miniapps.gov_services import bundle_controllers, material_controllers, resident_controllers
from miniapps.gov_services.admin_controllers import ADMIN_HANDLERS
from miniapps.gov_services.catalogue_controllers import CATALOGUE_HANDLERS

router = Router(
    path="/",
    route_handlers=[
        *CATALOGUE_HANDLERS,
        *ADMIN_HANDLERS,
        # a resident's applications
        *resident_controllers.ROUTES,
        *material_controllers.ROUTES,
        # bundles (一件事): the admins' versions, a resident's bundle application
        *bundle_controllers.ADMIN_ROUTES,
        *bundle_controllers.RESIDENT_ROUTES,
    ],
)
