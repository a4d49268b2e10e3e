"""HTTP of the catalogue's admins (事项管理员): items, drafts, publishing and retiring.

Only `service_admin` holds these routes. A platform admin runs the platform, not the city's
service list: what an item asks of residents and how long it may take is the catalogue
office's to publish, and a platform admin who must do it is granted that role."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, patch, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from backend.sdk import (
    ROW_ID_MAX,
    AnyRequest,
    ErrorCode,
    PageCursor,
    PageLimit,
    Role,
    RowId,
    claims_of,
    idempotent,
    problems,
    requires_role,
)
from miniapps.gov_services import admin_reads, admin_service
from miniapps.gov_services.cases import version_in
from miniapps.gov_services.catalogue_schemas import (
    DiffView,
    DraftIn,
    ItemCreated,
    ItemIn,
    ItemPage,
    ItemView,
    PreviewIn,
    PreviewView,
    VersionPage,
    VersionView,
)
from miniapps.gov_services.document import document_json_schema
from miniapps.gov_services.errors import GovServicesCode as Code

ADMIN = [requires_role(Role.SERVICE_ADMIN)]
NO_ITEM: dict[int, list[ErrorCode]] = {404: [Code.ITEM_NOT_FOUND]}
NO_VERSION: dict[int, list[ErrorCode]] = {404: [Code.ITEM_VERSION_NOT_FOUND]}
# What a change of a version named by If-Match can meet, besides its own refusals.
CHANGING: dict[int, list[ErrorCode]] = {
    **NO_VERSION,
    400: [Code.ITEM_IF_MATCH_INVALID],
    412: [Code.ITEM_VERSION_CHANGED],
}
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        max_length=64,
        description="The version's revision (its ETag) the change is made from.",
    ),
]
Query = Annotated[
    str | None,
    QueryParameter(
        max_length=100, description="Words each found in the name, the keywords or the code."
    ),
]


def _tagged(view: VersionView) -> Response[VersionView]:
    return Response(view, headers={"ETag": f'"{view.revision}"'})


def _expected(if_match: str | None) -> int | None:
    return version_in(if_match, refusal=Code.ITEM_IF_MATCH_INVALID)


@post(
    "/admin/items",
    operation_id="CreateServiceItem",
    guards=ADMIN,
    middleware=[idempotent],
    responses=problems({409: [Code.ITEM_CODE_TAKEN], 422: [Code.DOCUMENT_INVALID]}),
)
async def create_item(request: AnyRequest, data: JSONBody[ItemIn]) -> ItemCreated:
    """Create an item (事项) with its first draft, version 1.

    Its code (事项编码) is its own: another item's is a 409. The document is checked for its
    shape (a 422 lists every place); the rest is checked when it is published."""
    return await admin_service.create_item(actor=claims_of(request), item=data)


@get(
    "/admin/items",
    operation_id="ListServiceItems",
    guards=ADMIN,
)
async def list_items(
    q: Query = None, cursor: PageCursor = None, limit: FromQuery[PageLimit] = 50
) -> ItemPage:
    """Every item, draft-only and retired ones too, by id.

    Each with the version applications start on and its draft, if any. The next page is
    the one after `next_cursor`."""
    return await admin_reads.list_items(q=q, cursor=cursor, limit=limit)


@post(
    "/admin/items/{item_id:int}/retire",
    status_code=200,
    operation_id="RetireServiceItem",
    guards=ADMIN,
    responses=problems({**NO_ITEM, 409: [Code.ITEM_RETIRED]}),
)
async def retire_item(request: AnyRequest, item_id: FromPath[RowId]) -> ItemView:
    """Withdraw an item from the catalogue.

    Its current version and its draft are retired: no application starts on it, those
    already started go on. An item with neither is a 409."""
    return await admin_service.retire_item(actor=claims_of(request), item_id=item_id)


@get(
    "/admin/items/{item_id:int}/versions",
    operation_id="ListItemVersions",
    guards=ADMIN,
    responses=problems(NO_ITEM),
)
async def list_versions(
    item_id: FromPath[RowId], cursor: PageCursor = None, limit: FromQuery[PageLimit] = 50
) -> VersionPage:
    """An item's versions, newest first, without their documents.

    The next page is the one after `next_cursor`."""
    return await admin_reads.list_versions(item_id=item_id, cursor=cursor, limit=limit)


@post(
    "/admin/items/{item_id:int}/versions",
    operation_id="StartItemDraft",
    guards=ADMIN,
    middleware=[idempotent],
    responses=problems({**NO_ITEM, 409: [Code.ITEM_DRAFT_EXISTS]}),
)
async def start_draft(request: AnyRequest, item_id: FromPath[RowId]) -> Response[VersionView]:
    """Start a new draft of an item, a copy of its latest version.

    A published version never changes: this is how an item is changed. An item with a
    draft already is a 409: edit or publish that one."""
    return _tagged(await admin_service.start_draft(actor=claims_of(request), item_id=item_id))


@get(
    "/admin/versions/{version_id:int}",
    operation_id="GetItemVersion",
    guards=ADMIN,
    responses=problems(NO_VERSION),
)
async def get_version(version_id: FromPath[RowId]) -> Response[VersionView]:
    """One version of an item, in any state, with its document.

    Its `ETag` is its revision, for `If-Match` on the next change."""
    return _tagged(await admin_reads.version(version_id=version_id))


@patch(
    "/admin/versions/{version_id:int}",
    operation_id="EditItemDraft",
    guards=ADMIN,
    responses=problems(
        {
            **CHANGING,
            409: [Code.ITEM_VERSION_FROZEN, Code.ITEM_VERSION_CHANGED],
            422: [Code.DOCUMENT_INVALID],
        }
    ),
)
async def edit_draft(
    request: AnyRequest,
    version_id: FromPath[RowId],
    data: JSONBody[DraftIn],
    if_match: IfMatch = None,
) -> Response[VersionView]:
    """Replace a draft's document.

    A published or retired version is frozen (409 `item_version_frozen`): start a new
    draft. A draft changed since the revision `If-Match` names is a 412. The document is
    checked for its shape, every place listed in one 422."""
    view = await admin_service.edit_draft(
        actor=claims_of(request),
        version_id=version_id,
        document=data.document,
        expected=_expected(if_match),
    )
    return _tagged(view)


@post(
    "/admin/versions/{version_id:int}/publish",
    status_code=200,
    operation_id="PublishItemVersion",
    guards=ADMIN,
    responses=problems(
        {
            **CHANGING,
            409: [Code.ITEM_VERSION_FROZEN, Code.ITEM_VERSION_CHANGED],
            422: [Code.DOCUMENT_INVALID],
        }
    ),
)
async def publish(
    request: AnyRequest, version_id: FromPath[RowId], if_match: IfMatch = None
) -> Response[VersionView]:
    """Publish a draft: from now on new applications start on it.

    Its document is checked first (roles, org units, one chain of steps, promised within
    legal limits, rules and materials...): a 422 lists every problem by JSON pointer. It
    is then frozen with its sha256; the version published before stays readable for the
    applications pinned to it."""
    view = await admin_service.publish(
        actor=claims_of(request), version_id=version_id, expected=_expected(if_match)
    )
    return _tagged(view)


@post(
    "/admin/versions/{version_id:int}/retire",
    status_code=200,
    operation_id="RetireItemVersion",
    guards=ADMIN,
    responses=problems({**CHANGING, 409: [Code.ITEM_RETIRED, Code.ITEM_VERSION_CHANGED]}),
)
async def retire_version(
    request: AnyRequest, version_id: FromPath[RowId], if_match: IfMatch = None
) -> Response[VersionView]:
    """Retire a version: no new application starts on it.

    Applications pinned to it go on; a retired draft is dropped. A version retired already
    is a 409."""
    view = await admin_service.retire_version(
        actor=claims_of(request), version_id=version_id, expected=_expected(if_match)
    )
    return _tagged(view)


@get(
    "/admin/versions/{version_id:int}/diff",
    operation_id="DiffItemVersions",
    guards=ADMIN,
    responses=problems(NO_VERSION),
)
async def diff(
    version_id: FromPath[RowId],
    base: Annotated[
        int, QueryParameter(ge=1, le=ROW_ID_MAX, description="The version compared with.")
    ],
) -> DiffView:
    """What changed from version `base` to this one, value by value, by JSON pointer.

    Both are versions of one item; another item's is not found."""
    return await admin_reads.diff(version_id=version_id, base_id=base)


@post(
    "/admin/versions/{version_id:int}/preview",
    status_code=200,
    operation_id="PreviewItemVersion",
    guards=ADMIN,
    responses=problems({**NO_VERSION, 422: [Code.DOCUMENT_INVALID]}),
)
async def preview(
    request: AnyRequest, version_id: FromPath[RowId], data: JSONBody[PreviewIn]
) -> PreviewView:
    """Try a version, a draft too, with sample answers and facts; nothing is stored.

    The answer says which fields show, which answers are kept, every answer refused, the
    eligibility rules failed and the materials asked for, as a resident would be told. A
    draft whose schemas are not valid JSON Schema is a 422 listing them."""
    locale = claims_of(request).locale or request.headers.get("accept-language")
    return await admin_reads.preview(version_id=version_id, sample=data, locale=locale)


@get("/admin/document-schema", operation_id="GetItemDocumentSchema", guards=ADMIN)
async def document_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of an item document.

    What a draft's shape is checked against; what a schema cannot say (the fields rules
    name exist, the steps form one chain...) is checked when it is published."""
    return document_json_schema()


ADMIN_HANDLERS = [
    create_item,
    list_items,
    retire_item,
    list_versions,
    start_draft,
    get_version,
    edit_draft,
    publish,
    retire_version,
    diff,
    preview,
    document_schema,
]
