"""HTTP of the service engine: the catalogue, residents' applications and staff work."""

from __future__ import annotations

from litestar import Router

from miniapps.gov_services import (
    decision_controllers,
    material_controllers,
    resident_controllers,
    staff_controllers,
)
from miniapps.gov_services.admin_controllers import ADMIN_HANDLERS
from miniapps.gov_services.catalogue_controllers import CATALOGUE_HANDLERS
from miniapps.gov_services.feedback.controllers import ROUTES as FEEDBACK_ROUTES

# Staff work: the worklist, a case, and the actions from 受理 to 送达; the resident's 补正.
STAFF_ROUTES = [
    staff_controllers.list_work,
    staff_controllers.get_case,
    staff_controllers.claim,
    staff_controllers.release,
    staff_controllers.accept,
    staff_controllers.advance,
    staff_controllers.return_for_supplement,
    decision_controllers.reject,
    decision_controllers.extend,
    decision_controllers.decide,
    decision_controllers.deliver,
    decision_controllers.supplement,
]

router = Router(
    path="/",
    route_handlers=[
        *CATALOGUE_HANDLERS,
        *ADMIN_HANDLERS,
        # a resident's applications
        *resident_controllers.ROUTES,
        *material_controllers.ROUTES,
        *FEEDBACK_ROUTES,
        *STAFF_ROUTES,
    ],
)
