"""HTTP for browsing the org tree."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from backend.directory.errors import DirectoryCode
from backend.directory.orgs import service
from backend.directory.orgs.schemas import OrgUnitView
from backend.kernel.errors import NotFound
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
) -> list[OrgUnitView]:
    """The org units directly below a unit.

    Below `parent`, or the cities when it is left out; for choosing a community or a
    grid, e.g. a home."""
    if parent is not None and await service.unit_at(parent) is None:
        raise NotFound(DirectoryCode.ORG_UNKNOWN)
    return await service.children_of(parent)
