"""HTTP of the catalogue as residents browse it: search, an item, a version once published.

Open to every signed-in caller: the catalogue is public information and says nothing about
anyone. (The host serves a mini-app's routes only to callers signed in, where the app is on.)"""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import FromPath, FromQuery, QueryParameter

from backend.sdk import DirectoryCode, PageCursor, PageLimit, RowId, problems
from miniapps.gov_services import catalogue_service
from miniapps.gov_services.catalogue_schemas import CatalogueItem, CataloguePage, PublishedVersion
from miniapps.gov_services.errors import GovServicesCode as Code


@get(
    "/items",
    operation_id="SearchServiceItems",
    responses=problems({422: [DirectoryCode.ORG_UNIT_UNKNOWN]}),
)
async def search_items(
    q: Annotated[
        str | None,
        QueryParameter(
            max_length=100, description="Words each found in the name, the keywords or the code."
        ),
    ] = None,
    category: Annotated[
        str | None, QueryParameter(max_length=64, description="Only items of this category.")
    ] = None,
    district: Annotated[
        str | None,
        QueryParameter(
            max_length=200,
            description="Only items offered in this district (its org path, e.g. `zz/gx`).",
        ),
    ] = None,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 20,
) -> CataloguePage:
    """The service items (事项) one can apply for, by id, a page at a time.

    A district offers an item whose implementing orgs (实施机构) include one there, or one
    every district offers. The next page is the one after `next_cursor`."""
    return await catalogue_service.search(
        q=q, category=category, district=district, cursor=cursor, limit=limit
    )


@get(
    "/items/{item_id:int}",
    operation_id="GetServiceItem",
    responses=problems({404: [Code.ITEM_NOT_FOUND]}),
)
async def get_item(item_id: FromPath[RowId]) -> CatalogueItem:
    """A service item with the version new applications start on, and its document.

    An item with only a draft, or retired, is not found."""
    return await catalogue_service.catalogue_item(item_id=item_id)


@get(
    "/items/{item_id:int}/versions/{version_id:int}",
    operation_id="GetPublishedItemVersion",
    responses=problems({404: [Code.ITEM_VERSION_NOT_FOUND]}),
)
async def get_published_version(
    item_id: FromPath[RowId], version_id: FromPath[RowId]
) -> PublishedVersion:
    """A version of an item as it was published, current or not.

    What an application started on it is held to, after newer versions were published or
    it was retired. A draft is not found."""
    return await catalogue_service.published_version(version_id=version_id, item_id=item_id)


CATALOGUE_HANDLERS = [search_items, get_item, get_published_version]
