"""HTTP of legal services."""

from __future__ import annotations

from litestar import Router

from miniapps.legal_aid.aid_controllers import AID_ROUTES
from miniapps.legal_aid.consult_controllers import CONSULT_ROUTES
from miniapps.legal_aid.directory_controllers import DIRECTORY_ROUTES
from miniapps.legal_aid.mediation_controllers import MEDIATION_ROUTES
from miniapps.legal_aid.refusal_controllers import REFUSAL_ROUTES

router = Router(
    path="/",
    route_handlers=[
        *DIRECTORY_ROUTES,
        *CONSULT_ROUTES,
        *MEDIATION_ROUTES,
        *AID_ROUTES,
        *REFUSAL_ROUTES,
    ],
)
