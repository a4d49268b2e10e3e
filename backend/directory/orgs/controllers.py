"""HTTP for browsing the org tree."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery

from backend.directory.errors import DirectoryCode
from backend.directory.orgs import service
from backend.directory.orgs.schemas import OrgUnitView
from backend.kernel.errors import NotFound


@get("/v1/orgs", operation_id="ListOrgUnits", tags=["orgs"])
async def list_org_units(parent: FromQuery[str | None] = None) -> list[OrgUnitView]:
    """The units directly below `parent` (the cities when it is left out)."""
    if parent is not None and await service.unit_at(parent) is None:
        raise NotFound(DirectoryCode.ORG_UNKNOWN)
    return await service.children_of(parent)
