"""What the catalogue's admins read: every item whatever its state, an item's versions, one
version with its document, the changes between two versions, and a version tried with
sample data. Nothing here writes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from backend.sdk import (
    NotFound,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    fetch_rows,
)
from miniapps.gov_services.catalogue_schemas import (
    DiffView,
    Finding,
    ItemPage,
    ItemView,
    PreviewIn,
    PreviewView,
    VersionPage,
    VersionStatus,
    VersionSummary,
    VersionView,
)
from miniapps.gov_services.catalogue_service import item_filters, stored_document
from miniapps.gov_services.document import (
    Facts,
    check_answers,
    check_eligibility,
    diff_documents,
    prefill_values,
    required_materials,
    visible_fields,
)
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.tables import ItemVersion, ServiceItem

Row = Mapping[str, Any]


def item_view(row: Row, *, current_id: int | None = None, draft_id: int | None = None) -> ItemView:
    return ItemView(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        dept=row["dept"],
        category=row["category"],
        keywords=row["keywords"].split(),
        created_at=row["created_at"],
        current_version_id=current_id,
        draft_version_id=draft_id,
    )


def _summary_fields(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "item_id": row["item_id"],
        "version": row["version"],
        "status": VersionStatus(row["status"]),
        "sha256": row["sha256"],
        "revision": row["revision"],
        "valid_from": row["valid_from"],
        "valid_to": row["valid_to"],
        "created_by": row["created_by"],
        "created_at": row["created_at"],
        "published_by": row["published_by"],
        "published_at": row["published_at"],
    }


def version_view(row: Row) -> VersionView:
    return VersionView(**_summary_fields(row), document=stored_document(row))


async def version_row(version_id: int) -> Row:
    """The row of a version of any item, in any state."""
    row = await ItemVersion.select().where(ItemVersion.id == version_id).first()
    if row is None:
        raise NotFound(GovServicesCode.ITEM_VERSION_NOT_FOUND)
    return row


async def version(*, version_id: int) -> VersionView:
    """One version of any item, in any state, with its document."""
    return version_view(await version_row(version_id))


async def list_items(*, q: str | None, cursor: str | None, limit: int) -> ItemPage:
    """Every item by id, drafts and retired ones too, with the ids of its current version and
    of its draft; each word of `q` found in the name, keywords or code."""
    after = decode_cursor(cursor) if cursor else 0
    args: list[Any] = [VersionStatus.PUBLISHED.value, VersionStatus.DRAFT.value, after]
    where = ["i.id > $3", *item_filters(q or "", None, args)]
    args.append(limit + 1)
    versions = ItemVersion._meta.tablename
    sql = (
        "SELECT i.*,"  # noqa: S608
        f" (SELECT v.id FROM {versions} v WHERE v.item_id = i.id AND v.status = $1"
        " AND v.valid_to IS NULL) AS current_id,"
        f" (SELECT v.id FROM {versions} v WHERE v.item_id = i.id AND v.status = $2) AS draft_id"
        f" FROM {ServiceItem._meta.tablename} i WHERE {' AND '.join(where)}"
        f" ORDER BY i.id LIMIT ${len(args)}"
    )
    rows = await fetch_rows(sql, *args)
    items = [
        item_view(row, current_id=row["current_id"], draft_id=row["draft_id"])
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return ItemPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def list_versions(*, item_id: int, cursor: str | None, limit: int) -> VersionPage:
    """The item's versions, newest first, without their documents."""
    if not await ServiceItem.exists().where(ServiceItem.id == item_id):
        raise NotFound(GovServicesCode.ITEM_NOT_FOUND)
    query = ItemVersion.select(*ItemVersion.all_columns(exclude=[ItemVersion.document])).where(
        ItemVersion.item_id == item_id
    )
    if cursor:
        query = query.where(ItemVersion.id < decode_cursor(cursor))
    rows = await query.order_by(ItemVersion.id, ascending=False).limit(limit + 1)
    items = [VersionSummary(**_summary_fields(row)) for row in rows[:limit]]
    more = len(rows) > limit
    return VersionPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def diff(*, version_id: int, base_id: int) -> DiffView:
    """What changed from version `base_id` to `version_id`, two versions of one item."""
    rows = await ItemVersion.select().where(ItemVersion.id.is_in([version_id, base_id]))
    by_id = {row["id"]: row for row in rows}
    if version_id not in by_id:
        raise NotFound(GovServicesCode.ITEM_VERSION_NOT_FOUND)
    this = by_id[version_id]
    base = by_id.get(base_id)
    if base is None or base["item_id"] != this["item_id"]:
        raise NotFound(GovServicesCode.ITEM_VERSION_NOT_FOUND, extensions={"base": base_id})
    changes = diff_documents(stored_document(base), stored_document(this))
    return DiffView(base_version_id=base_id, version_id=version_id, changes=changes)


async def preview(*, version_id: int, sample: PreviewIn, locale: str | None) -> PreviewView:
    """What a resident giving `sample` would be shown and told, as a draft or a submit: the
    fields shown, the answers kept, every answer refused, the eligibility rules failed and
    the materials asked for. Licences fill in their fields first, as at a real start."""
    doc = stored_document(await version_row(version_id))
    prefilled = prefill_values(doc, sample.licences)
    answers = {**prefilled, **sample.answers}
    shown = visible_fields(doc, answers)
    kept = {field: value for field, value in answers.items() if field in shown}
    refused = _findings(
        lambda: check_answers(
            doc, answers, complete=sample.complete, prefilled=prefilled, locale=locale
        ),
        GovServicesCode.ANSWERS_INVALID,
    )
    facts = Facts(profile=sample.profile, licences=sample.licences, answers=kept)
    failed = _findings(
        lambda: check_eligibility(doc, facts, locale=locale), GovServicesCode.NOT_ELIGIBLE
    )
    return PreviewView(
        visible_fields=[f for page in doc.form.ui.pages for f in page.fields if f in shown],
        answers_kept=kept,
        answer_problems=refused,
        eligible=not failed,
        eligibility_failed=failed,
        required_materials=required_materials(doc, kept),
    )


def _findings(check: Callable[[], object], code: GovServicesCode) -> list[Finding]:
    """What `check` refuses with `code`, as findings; any other refusal goes on up."""
    try:
        check()
    except Unprocessable as refusal:
        if refusal.code is not code:
            raise
        return [Finding(field=e.field, message=e.message) for e in refusal.errors or []]
    return []
