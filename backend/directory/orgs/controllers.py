"""HTTP for browsing the org tree."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery

from backend.directory.orgs import service
from backend.directory.orgs.schemas import OrgUnitPage
from backend.kernel.pagination import PageLimit


@get("/v1/orgs", operation_id="ListOrgUnits", tags=["orgs"])
async def list_org_units(
    parent: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
    limit: FromQuery[PageLimit] = 50,
) -> OrgUnitPage:
    """The units directly below `parent` (the cities when it is left out), in the city's
    order; the next page is the one after `next_cursor`."""
    return await service.children_of(parent, cursor=cursor, limit=limit)
