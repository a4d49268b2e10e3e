"""The catalogue as residents find it, and the versions applications are held to.

An item is offered while one of its versions is published and current (its `valid_to`
unset): that is the version new applications start on. A version once published never
changes, so an application pinned to it reads the same document for as long as it runs,
whatever was published after."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    Level,
    NotFound,
    decode_cursor,
    encode_cursor,
    fetch_rows,
    require_unit,
)
from miniapps.gov_services.catalogue_schemas import (
    CatalogueEntry,
    CatalogueItem,
    CataloguePage,
    PublishedVersion,
    VersionStatus,
)
from miniapps.gov_services.document import ItemDocument, parse_document, published_document
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.tables import ItemDistrict, ItemVersion, ServiceItem

# The district row of a version that every district runs through its own offices.
EVERY_DISTRICT = "*"
_MAX_TERMS = 5


def stored_document(row: Mapping[str, Any]) -> ItemDocument:
    """The document of a version row: parsed once per process for a published version, every
    time for a draft (whose shape was checked when it was saved, so it parses)."""
    if row["published_at"] is None:
        return parse_document(row["document"])
    return published_document(row["document"], sha256=row["sha256"])


def published_view(row: Mapping[str, Any]) -> PublishedVersion:
    return PublishedVersion(
        id=row["id"],
        item_id=row["item_id"],
        version=row["version"],
        status=VersionStatus(row["status"]),
        sha256=row["sha256"],
        published_at=row["published_at"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        document=stored_document(row),
    )


async def current_version(*, item_id: int) -> PublishedVersion:
    """The version new applications of the item start on; `item_not_found` for an item
    that does not exist, has only a draft, or is retired."""
    row = (
        await ItemVersion.select()
        .where(
            (ItemVersion.item_id == item_id)
            & (ItemVersion.status == VersionStatus.PUBLISHED)
            & ItemVersion.valid_to.is_null()
        )
        .first()
    )
    if row is None:
        raise NotFound(GovServicesCode.ITEM_NOT_FOUND)
    return published_view(row)


async def published_version(*, version_id: int, item_id: int | None = None) -> PublishedVersion:
    """A version that was published, current or not, even retired since: what applications
    pinned to it are held to. A draft, or a version of another item than `item_id` (when
    named), is `item_version_not_found`."""
    row = await ItemVersion.select().where(ItemVersion.id == version_id).first()
    if row is None or row["published_at"] is None or item_id not in (None, row["item_id"]):
        raise NotFound(GovServicesCode.ITEM_VERSION_NOT_FOUND)
    return published_view(row)


async def catalogue_item(*, item_id: int) -> CatalogueItem:
    """A published item and the version new applications start on."""
    item = await ServiceItem.select().where(ServiceItem.id == item_id).first()
    if item is None:
        raise NotFound(GovServicesCode.ITEM_NOT_FOUND)
    version = await current_version(item_id=item_id)
    return CatalogueItem(
        id=item["id"],
        code=item["code"],
        name=item["name"],
        dept=item["dept"],
        category=item["category"],
        keywords=item["keywords"].split(),
        version=version,
    )


async def search(
    *, q: str | None, category: str | None, district: str | None, cursor: str | None, limit: int
) -> CataloguePage:
    """The items on offer, by id, a page at a time: each word of `q` found in the name,
    the keywords or the code; of `category`; offered in `district` (an implementing org
    there, or every district offering it)."""
    if district is not None:
        await require_unit(district, Level.DISTRICT, field="district")
    after = decode_cursor(cursor) if cursor else None
    sql, args = _search_query(q or "", category, district, after, limit + 1)
    rows = await fetch_rows(sql, *args)
    items = [_entry(row) for row in rows[:limit]]
    more = len(rows) > limit
    return CataloguePage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


def _entry(row: Mapping[str, Any]) -> CatalogueEntry:
    return CatalogueEntry(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        dept=row["dept"],
        category=row["category"],
        keywords=row["keywords"].split(),
        version_id=row["version_id"],
        version=row["version"],
    )


def _search_query(
    q: str, category: str | None, district: str | None, after: int | None, count: int
) -> tuple[str, list[Any]]:
    """The statement of one page; only placeholders and the code's own names go into it."""
    args: list[Any] = [VersionStatus.PUBLISHED.value]
    where = ["v.status = $1", "v.valid_to IS NULL", *item_filters(q, category, args)]
    if after is not None:
        args.append(after)
        where.append(f"i.id > ${len(args)}")
    if district is not None:
        args += [district, EVERY_DISTRICT]
        offered = f"d.version_id = v.id AND d.district IN (${len(args) - 1}, ${len(args)})"
        where.append(f"EXISTS (SELECT 1 FROM {ItemDistrict._meta.tablename} d WHERE {offered})")  # noqa: S608
    args.append(count)
    sql = (
        "SELECT i.id, i.code, i.name, i.dept, i.category, i.keywords,"  # noqa: S608
        " v.id AS version_id, v.version"
        f" FROM {ServiceItem._meta.tablename} i JOIN {ItemVersion._meta.tablename} v"
        f" ON v.item_id = i.id WHERE {' AND '.join(where)} ORDER BY i.id LIMIT ${len(args)}"
    )
    return sql, args


def item_filters(q: str, category: str | None, args: list[Any]) -> list[str]:
    """The conditions on the items `i` of a statement: each word of `q` in the name, the
    keywords or the code (as written: `%` and `_` are no wildcards); of `category`. Their
    values are appended to `args`."""
    where = []
    if category:
        args.append(category)
        where.append(f"i.category = ${len(args)}")
    for term in q.lower().split()[:_MAX_TERMS]:
        args.append("%" + term.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%")
        found = (f"lower(i.{column}) LIKE ${len(args)} ESCAPE '!'" for column in _SEARCHED)
        where.append(f"({' OR '.join(found)})")
    return where


_SEARCHED = ("name", "keywords", "code")


def districts_offered(doc: ItemDocument) -> list[str]:
    """The districts a published document is offered in, for the catalogue's filter."""
    return sorted({org.district for org in doc.implementing_orgs}) or [EVERY_DISTRICT]
