"""HTTP for browsing the org tree."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import FromQuery, QueryParameter

from backend.directory.errors import DirectoryCode
from backend.directory.orgs import service
from backend.directory.orgs.schemas import OrgUnitPage
from backend.kernel.pagination import PageCursor, PageLimit
from backend.kernel.problems import problems


@get(
    "/v1/orgs",
    operation_id="ListOrgUnits",
    tags=["orgs"],
    responses=problems({404: [DirectoryCode.ORG_UNKNOWN]}),
)
async def list_org_units(
    parent: Annotated[
        str | None,
        QueryParameter(description="An org path, e.g. zz/gx; the cities when left out."),
    ] = None,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> OrgUnitPage:
    """The org units directly below a unit, a page at a time.

    Below `parent`, or the cities when it is left out, in the city's own order; for choosing
    a community or a grid, e.g. a home. The next page is the one after `next_cursor`."""
    return await service.children_of(parent, cursor=cursor, limit=limit)
