"""Which version of an item a resident applies on, and the document an application pinned:
a case started on one version is held to that version's document to the end, whatever is
published after it (as GOV.UK Forms pins a submission to its form's version)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.sdk import NotFound, ReadTogether, fetch_where_in, utc_now
from miniapps.gov_services.document import (
    ItemDocument,
    published_document,
    remembered_document,
)
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.tables import ItemVersion, ServiceItem

PUBLISHED = "published"


async def offered_version(item_code: str) -> tuple[dict[str, Any], int, ItemDocument]:
    """The item of `item_code`, the id of the version new applications start on (the newest
    published one in force) and its document; `item_not_offered` for an unknown item and
    for one with no such version (only drafts, or retired)."""
    item = (
        await ServiceItem.select(ServiceItem.id, ServiceItem.code, ServiceItem.name)
        .where(ServiceItem.code == item_code)
        .first()
    )
    if item is None:
        raise NotFound(GovServicesCode.ITEM_NOT_OFFERED)
    now = utc_now()
    version = (
        await ItemVersion.select(ItemVersion.id, ItemVersion.document, ItemVersion.sha256)
        .where(
            (ItemVersion.item_id == item["id"])
            & (ItemVersion.status == PUBLISHED)
            & (ItemVersion.valid_from.is_null() | (ItemVersion.valid_from <= now))
            & (ItemVersion.valid_to.is_null() | (ItemVersion.valid_to > now))
        )
        .order_by(ItemVersion.version, ascending=False)
        .first()
    )
    if version is None:
        raise NotFound(GovServicesCode.ITEM_NOT_OFFERED)
    return item, int(version["id"]), _document(version)


async def pinned_document(version_id: int, *, sha256: str | None = None) -> ItemDocument:
    """The document of the version an application was started on: read from the database
    only if this process has not parsed it yet (it is large; its hash is not). A caller
    that has read the version's hash with the application passes it (`sha256`)."""
    if sha256 is None:
        sha256 = await _HASH_READS.one(version_id)
    if sha256 is not None:
        known = remembered_document(sha256)
        if known is not None:
            return known
    row = (
        await ItemVersion.select(ItemVersion.document, ItemVersion.sha256)
        .where(ItemVersion.id == version_id)
        .first()
    )
    if row is None:
        # Versions are never deleted while an application pins them.
        raise LookupError(f"item version {version_id} is gone")
    return _document(row)


async def _hashes(version_ids: Iterable[int]) -> dict[int, str]:
    rows = await fetch_where_in(_VERSION_HASHES, "id", version_ids)
    return {int(row["id"]): row["sha256"] for row in rows}


# Every submit and view of an application asks: those asked at once are read together.
_VERSION_HASHES = f"SELECT id, sha256 FROM {ItemVersion._meta.tablename}"  # noqa: S608
_HASH_READS: ReadTogether[int, str] = ReadTogether(_hashes)


def _document(row: dict[str, Any]) -> ItemDocument:
    """A version's document, parsed once per process under the hash it was published with.
    Handed over as the engine gives it (JSON text): once parsed, it is not decoded again."""
    return published_document(row["document"], sha256=row["sha256"])


async def item_names(item_ids: set[int]) -> dict[int, tuple[str, str]]:
    """(code, name) of each item, by id."""
    if len(item_ids) == 1:
        (item_id,) = item_ids
        found = await _NAME_READS.one(item_id)
        return {} if found is None else {item_id: found}
    return await _names(item_ids)


async def _names(item_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    rows = await fetch_where_in(_ITEM_NAMES, "id", item_ids)
    return {int(row["id"]): (row["code"], row["name"]) for row in rows}


# Read by every view of an application, most often for one item: the views shown at once
# read their items' names together.
_ITEM_NAMES = f"SELECT id, code, name FROM {ServiceItem._meta.tablename}"  # noqa: S608
_NAME_READS: ReadTogether[int, tuple[str, str]] = ReadTogether(_names)
