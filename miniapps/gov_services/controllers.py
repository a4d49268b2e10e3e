"""HTTP of the service engine: the catalogue, residents' applications and staff work."""

from __future__ import annotations

from litestar import Router

from miniapps.gov_services.feedback.controllers import ROUTES as FEEDBACK_ROUTES

router = Router(path="/", route_handlers=[*FEEDBACK_ROUTES])
