"""HTTP of the service engine: the catalogue, residents' applications and staff work."""

from __future__ import annotations

from litestar import Router

router = Router(path="/", route_handlers=[])
