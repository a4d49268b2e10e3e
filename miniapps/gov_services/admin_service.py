"""The catalogue's admins at work: an item is written as a draft, checked and published, and
then never changes; a change is a new draft from the latest version, published in its turn.

Each change is one transaction with its audit row, conditional on the version as it was
read: an admin who names the revision they read (`If-Match`) gets a 412 if another changed
the draft since, and no two admins can both publish one draft or both start a new one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column

from backend.sdk import (
    UNIQUE_VIOLATION,
    Claims,
    Conflict,
    NotFound,
    PreconditionFailed,
    audit,
    json_value,
    transaction,
    unit_exists,
    utc_now,
)
from miniapps.gov_services.admin_reads import item_view, version_row, version_view
from miniapps.gov_services.catalogue_schemas import (
    ItemCreated,
    ItemIn,
    ItemView,
    VersionStatus,
    VersionView,
)
from miniapps.gov_services.catalogue_service import districts_offered, stored_document
from miniapps.gov_services.document import (
    ItemDocument,
    document_json,
    document_sha256,
    parse_document,
    require_publishable,
)
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.tables import ItemDistrict, ItemVersion, ServiceItem

Row = Mapping[str, Any]
Changes = Mapping[Column | str, Any]


async def create_item(*, actor: Claims | None, item: ItemIn) -> ItemCreated:
    """A new item and version 1 of it, a draft; `item_code_taken` if the code is another's.
    `actor` None is the platform itself (the demo catalogue's seed)."""
    doc = parse_document(item.document)
    async with transaction():
        try:
            rows = await ServiceItem.insert(
                ServiceItem(
                    code=item.code,
                    name=item.name,
                    dept=item.dept,
                    category=item.category,
                    keywords=" ".join(dict.fromkeys(item.keywords)),
                    created_by=_id_of(actor),
                )
            ).returning(*ServiceItem.all_columns())
        except UNIQUE_VIOLATION as err:
            raise Conflict(GovServicesCode.ITEM_CODE_TAKEN) from err
        draft = await _add_version(actor, rows[0]["id"], 1, document_json(doc))
    return ItemCreated(item=item_view(rows[0], draft_id=draft["id"]), draft=version_view(draft))


async def start_draft(*, actor: Claims | None, item_id: int) -> VersionView:
    """A new draft of the item, a copy of its latest version; `item_draft_exists` while it
    has one (it is the latest: a draft is only ever started after the latest version)."""
    latest = (
        await ItemVersion.select()
        .where(ItemVersion.item_id == item_id)
        .order_by(ItemVersion.version, ascending=False)
        .first()
    )
    if latest is None:
        raise NotFound(GovServicesCode.ITEM_NOT_FOUND)
    if latest["status"] == VersionStatus.DRAFT:
        raise Conflict(GovServicesCode.ITEM_DRAFT_EXISTS)
    async with transaction():
        try:
            draft = await _add_version(
                actor, item_id, latest["version"] + 1, json_value(latest["document"])
            )
        except UNIQUE_VIOLATION as err:  # another admin started one meanwhile
            raise Conflict(GovServicesCode.ITEM_DRAFT_EXISTS) from err
    return version_view(draft)


async def edit_draft(
    *, actor: Claims, version_id: int, document: Mapping[str, Any], expected: int | None
) -> VersionView:
    """The draft with its document replaced; a published or retired version is frozen
    (`item_version_frozen`), and a document of the wrong shape is refused, each place
    listed."""
    row = await _draft(version_id, expected)
    doc = parse_document(document)
    async with transaction():
        changed = await _change(row, {ItemVersion.document: document_json(doc)}, expected)
        await _audit(actor, "draft_edited", changed)
    return version_view(changed)


async def publish(*, actor: Claims | None, version_id: int, expected: int | None) -> VersionView:
    """Publish the draft: once every check of its document passes (else a 422 listing every
    problem), it is frozen with its hash and becomes the version new applications start on;
    the one before stays readable for the applications pinned to it."""
    row = await _draft(version_id, expected)
    draft = stored_document(row)
    doc = require_publishable(draft, known_units=await _units_named(draft))
    now = utc_now()
    async with transaction():
        await ItemVersion.update({ItemVersion.valid_to: now}).where(
            (ItemVersion.item_id == row["item_id"])
            & (ItemVersion.status == VersionStatus.PUBLISHED)
            & ItemVersion.valid_to.is_null()
        )
        published = await _change(
            row,
            {
                ItemVersion.status: VersionStatus.PUBLISHED,
                ItemVersion.sha256: document_sha256(doc),
                ItemVersion.valid_from: now,
                ItemVersion.published_by: _id_of(actor),
                ItemVersion.published_at: now,
            },
            expected,
        )
        await ItemDistrict.insert(
            *(ItemDistrict(version_id=row["id"], district=d) for d in districts_offered(doc))
        )
        await _audit(actor, "version_published", published)
    return version_view(published)


async def retire_version(*, actor: Claims, version_id: int, expected: int | None) -> VersionView:
    """Withdraw a version: no application starts on it any more (a draft is dropped so);
    those pinned to it go on. `item_retired` if it already is."""
    row = await version_row(version_id)
    if row["status"] == VersionStatus.RETIRED:
        raise Conflict(GovServicesCode.ITEM_RETIRED)
    _require_revision(row, expected)
    changes: dict[Column | str, Any] = {ItemVersion.status: VersionStatus.RETIRED}
    if row["status"] == VersionStatus.PUBLISHED and row["valid_to"] is None:
        changes[ItemVersion.valid_to] = utc_now()
    async with transaction():
        retired = await _change(row, changes, expected)
        await _audit(actor, "version_retired", retired)
    return version_view(retired)


async def retire_item(*, actor: Claims, item_id: int) -> ItemView:
    """Withdraw an item from the catalogue: its current version and its draft are retired.
    `item_retired` if it has neither."""
    item = await ServiceItem.select().where(ServiceItem.id == item_id).first()
    if item is None:
        raise NotFound(GovServicesCode.ITEM_NOT_FOUND)
    mine = ItemVersion.item_id == item_id
    current = (ItemVersion.status == VersionStatus.PUBLISHED) & ItemVersion.valid_to.is_null()
    retired: dict[Column | str, Any] = {
        ItemVersion.status: VersionStatus.RETIRED,
        ItemVersion.revision: ItemVersion.revision + 1,
    }
    async with transaction():
        ended = (
            await ItemVersion.update({**retired, ItemVersion.valid_to: utc_now()})
            .where(mine & current)
            .returning(ItemVersion.id)
        )
        dropped = (
            await ItemVersion.update(retired)
            .where(mine & (ItemVersion.status == VersionStatus.DRAFT))
            .returning(ItemVersion.id)
        )
        if not ended and not dropped:
            raise Conflict(GovServicesCode.ITEM_RETIRED)
        ids = [r["id"] for r in ended + dropped]
        await audit(actor, "gov_services.item_retired", None, {"item_id": item_id, "versions": ids})
    return item_view(item)


async def _draft(version_id: int, expected: int | None) -> Row:
    """The version, if it is a draft at the revision the admin named."""
    row = await version_row(version_id)
    if row["status"] != VersionStatus.DRAFT:
        raise Conflict(
            GovServicesCode.ITEM_VERSION_FROZEN, extensions={"version_status": row["status"]}
        )
    _require_revision(row, expected)
    return row


def _require_revision(row: Row, expected: int | None) -> None:
    if expected is not None and expected != row["revision"]:
        raise PreconditionFailed(GovServicesCode.ITEM_VERSION_CHANGED)


async def _change(row: Row, changes: Changes, expected: int | None) -> Row:
    """The version with `changes` made, if it still stands as `row` was read; else
    `item_version_changed` (412 when the admin named the revision, 409 when not)."""
    updated = (
        await ItemVersion.update({**changes, ItemVersion.revision: ItemVersion.revision + 1})
        .where(
            (ItemVersion.id == row["id"])
            & (ItemVersion.revision == row["revision"])
            & (ItemVersion.status == row["status"])
        )
        .returning(*ItemVersion.all_columns())
    )
    if not updated:
        refusal = PreconditionFailed if expected is not None else Conflict
        raise refusal(GovServicesCode.ITEM_VERSION_CHANGED)
    changed: Row = updated[0]
    return changed


async def _add_version(actor: Claims | None, item_id: int, number: int, document: Any) -> Row:
    rows = await ItemVersion.insert(
        ItemVersion(
            item_id=item_id,
            version=number,
            status=VersionStatus.DRAFT,
            document=document,
            created_by=_id_of(actor),
        )
    ).returning(*ItemVersion.all_columns())
    draft: Row = rows[0]
    await _audit(actor, "draft_started", draft)
    return draft


def _id_of(actor: Claims | None) -> int:
    return actor.user_id if actor is not None else 0


async def _audit(actor: Claims | None, action: str, version: Row) -> None:
    """An audit row of a change an admin made; the platform's own seed leaves none."""
    if actor is None:
        return
    detail = {"item_id": version["item_id"], "version_id": version["id"]}
    await audit(actor, f"gov_services.{action}", None, {**detail, "version": version["version"]})


async def _units_named(doc: ItemDocument) -> set[str]:
    """The org units the document names (implementing orgs and their districts) that exist."""
    named = {path for org in doc.implementing_orgs for path in (org.district, org.org)}
    return {path for path in named if await unit_exists(path)}
