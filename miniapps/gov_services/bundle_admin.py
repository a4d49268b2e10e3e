"""The catalogue admins' bundles (一件事): a version is written as a draft, checked and
published, and then never changes; a change is a new version. Publishing one retires the
version before it: bundle applications already started keep the version they pinned.

Each change is one transaction with its audit row, conditional on the revision read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from piccolo.columns import Column

from backend.sdk import (
    UNIQUE_VIOLATION,
    Claims,
    Conflict,
    NotFound,
    PreconditionFailed,
    Unprocessable,
    audit,
    json_value,
    transaction,
    utc_now,
)
from miniapps.gov_services.bundle_model import (
    BundleDefinition,
    BundleIn,
    bundle_problems,
    bundle_sha256,
    definition_json,
)
from miniapps.gov_services.bundle_schemas import BundleDraftIn, BundleStatus, BundleVersionView
from miniapps.gov_services.document import ItemDocument
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.offered import offered_version
from miniapps.gov_services.tables import BundleVersion

Row = Mapping[str, Any]


def definition_of(row: Row) -> BundleDefinition:
    return msgspec.convert(
        {
            "members": json_value(row["members"]),
            "shared": json_value(row["shared"]),
            "promised_limit_wd": row["promised_limit_wd"],
        },
        BundleDefinition,
    )


def version_view(row: Row) -> BundleVersionView:
    return BundleVersionView(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        version=row["version"],
        status=BundleStatus(row["status"]),
        definition=definition_of(row),
        sha256=row["sha256"],
        created_at=row["created_at"],
        published_at=row["published_at"],
        revision=row["revision"],
    )


async def bundle_version(version_id: int) -> Row:
    row = await BundleVersion.select().where(BundleVersion.id == version_id).first()
    if row is None:
        raise NotFound(Code.BUNDLE_VERSION_NOT_FOUND)
    return row


async def documents_in_force(codes: Iterable[str]) -> dict[str, ItemDocument | None]:
    """Each item's document in force, None for a code with no published version."""
    found: dict[str, ItemDocument | None] = {}
    for code in codes:
        try:
            _, _, found[code] = await offered_version(code)
        except NotFound:
            found[code] = None
    return found


async def create_version(*, actor: Claims | None, bundle: BundleIn) -> BundleVersionView:
    """The bundle's next version, a draft (version 1 of a new code); `bundle_draft_exists`
    while the bundle has a draft, which is edited instead. `actor` None is the platform
    itself (the demo catalogue's seed)."""
    latest = (
        await BundleVersion.select(BundleVersion.version, BundleVersion.status)
        .where(BundleVersion.code == bundle.code)
        .order_by(BundleVersion.version, ascending=False)
        .first()
    )
    if latest is not None and latest["status"] == BundleStatus.DRAFT:
        raise Conflict(Code.BUNDLE_DRAFT_EXISTS)
    number = 1 if latest is None else latest["version"] + 1
    written = definition_json(bundle.definition)
    async with transaction():
        try:
            rows = await BundleVersion.insert(
                BundleVersion(
                    code=bundle.code,
                    name=bundle.name,
                    version=number,
                    status=BundleStatus.DRAFT,
                    members=written["members"],
                    shared=written["shared"],
                    promised_limit_wd=bundle.definition.promised_limit_wd,
                    created_by=_id_of(actor),
                )
            ).returning(*BundleVersion.all_columns())
        except UNIQUE_VIOLATION as err:  # another admin started this version meanwhile
            raise Conflict(Code.BUNDLE_DRAFT_EXISTS) from err
        await _audit(actor, "bundle_draft_started", rows[0])
    return version_view(rows[0])


async def edit_draft(
    *, actor: Claims, version_id: int, draft: BundleDraftIn, expected: int | None
) -> BundleVersionView:
    """The draft with its name and definition replaced; a published or retired version is
    frozen (`bundle_version_frozen`)."""
    row = await _draft(version_id, expected)
    written = definition_json(draft.definition)
    changes: dict[Column | str, Any] = {
        BundleVersion.name: draft.name,
        BundleVersion.members: written["members"],
        BundleVersion.shared: written["shared"],
        BundleVersion.promised_limit_wd: draft.definition.promised_limit_wd,
    }
    async with transaction():
        changed = await _change(row, changes, expected)
        await _audit(actor, "bundle_draft_edited", changed)
    return version_view(changed)


async def publish(
    *, actor: Claims | None, version_id: int, expected: int | None
) -> BundleVersionView:
    """Publish the draft once every check passes (else a 422 `bundle_invalid` listing every
    problem): its members are published items, what they depend on names members and forms
    no cycle, and each shared field fills fields of the same schema. It is frozen with its
    hash; the version published before it is retired."""
    row = await _draft(version_id, expected)
    definition = definition_of(row)
    problems = bundle_problems(definition, await documents_in_force(definition.codes))
    if problems:
        raise Unprocessable(Code.BUNDLE_INVALID, errors=problems)
    now = utc_now()
    async with transaction():
        await BundleVersion.update(
            {
                BundleVersion.status: BundleStatus.RETIRED,
                BundleVersion.revision: BundleVersion.revision + 1,
            }
        ).where(
            (BundleVersion.code == row["code"]) & (BundleVersion.status == BundleStatus.PUBLISHED)
        )
        published = await _change(
            row,
            {
                BundleVersion.status: BundleStatus.PUBLISHED,
                BundleVersion.sha256: bundle_sha256(row["code"], row["name"], definition),
                BundleVersion.published_by: _id_of(actor),
                BundleVersion.published_at: now,
            },
            expected,
        )
        await _audit(actor, "bundle_published", published)
    return version_view(published)


async def _draft(version_id: int, expected: int | None) -> Row:
    row = await bundle_version(version_id)
    if row["status"] != BundleStatus.DRAFT:
        raise Conflict(Code.BUNDLE_VERSION_FROZEN, extensions={"version_status": row["status"]})
    if expected is not None and expected != row["revision"]:
        raise PreconditionFailed(Code.BUNDLE_VERSION_CHANGED)
    return row


async def _change(row: Row, changes: Mapping[Column | str, Any], expected: int | None) -> Row:
    """The version with `changes` made, if it still stands as `row` was read; else
    `bundle_version_changed` (412 when the admin named the revision, 409 when not)."""
    updated = (
        await BundleVersion.update({**changes, BundleVersion.revision: BundleVersion.revision + 1})
        .where(
            (BundleVersion.id == row["id"])
            & (BundleVersion.revision == row["revision"])
            & (BundleVersion.status == row["status"])
        )
        .returning(*BundleVersion.all_columns())
    )
    if not updated:
        refusal = PreconditionFailed if expected is not None else Conflict
        raise refusal(Code.BUNDLE_VERSION_CHANGED)
    changed: Row = updated[0]
    return changed


def _id_of(actor: Claims | None) -> int:
    return actor.user_id if actor is not None else 0


async def _audit(actor: Claims | None, action: str, row: Row) -> None:
    """An audit row of an admin's change; the platform's own seed leaves none."""
    if actor is None:
        return
    detail = {"code": row["code"], "version_id": row["id"], "version": row["version"]}
    await audit(actor, f"gov_services.{action}", None, detail)
