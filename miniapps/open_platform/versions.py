"""An app's versions in review: its publisher drafts one, submits it (one at a time),
withdraws it; a platform admin approves it or rejects it saying why, reading what changed
since the last approved version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import (
    Claims,
    Conflict,
    NotFound,
    Unprocessable,
    all_or_nothing,
    audit,
    fetch_rows,
    unit_of_work,
    utc_now,
)
from miniapps.open_platform.apps import add_draft, hold_app, owned_app, seen_app
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.manifest import check_manifest
from miniapps.open_platform.schemas import (
    AppIn,
    AppManifest,
    AppVersionList,
    AppVersionStatus,
    AppVersionView,
    ManifestChange,
    ReviewItem,
    ReviewQueue,
    VersionReviewIn,
    WebhookEvent,
)
from miniapps.open_platform.webhooks import tell

_WITHDRAWABLE = (AppVersionStatus.DRAFT, AppVersionStatus.IN_REVIEW)


async def new_version(actor: Claims, app_id: str, version: AppIn) -> AppVersionView:
    app = await owned_app(actor, app_id)
    check_manifest(version.manifest, slug=app["slug"], at="manifest.")
    async with all_or_nothing():
        await hold_app(app_id)
        version_id = await add_draft(actor, app_id, version)
    return view(await _version_row(version_id))


async def versions_of(actor: Claims, app_id: str) -> AppVersionList:
    await seen_app(actor, app_id)
    rows = await fetch_rows(
        "SELECT * FROM open_platform_version WHERE app_id = $1 ORDER BY number DESC LIMIT 100",
        app_id,
    )
    return AppVersionList(items=[view(row) for row in rows])


async def seen_version(actor: Claims, version_id: int) -> AppVersionView:
    row = await _version_row(version_id)
    try:
        await seen_app(actor, row["app_id"])
    except NotFound as err:
        raise NotFound(OpenProblem.VERSION_NOT_FOUND) from err
    return view(row)


async def submit(actor: Claims, version_id: int) -> None:
    """Send a draft to review, unless another version of the app is in review."""
    app_id = await _owned_version(actor, version_id)
    async with all_or_nothing():
        await hold_app(app_id)
        if await fetch_rows(
            "SELECT 1 FROM open_platform_version WHERE app_id = $1 AND status = $2 AND id <> $3",
            app_id,
            AppVersionStatus.IN_REVIEW,
            version_id,
        ):
            raise Conflict(OpenProblem.REVIEW_PENDING)
        await _move(
            version_id,
            (AppVersionStatus.DRAFT,),
            AppVersionStatus.IN_REVIEW,
            {"submitted_at": utc_now()},
        )


async def withdraw(actor: Claims, version_id: int) -> None:
    await _owned_version(actor, version_id)
    await _move(version_id, _WITHDRAWABLE, AppVersionStatus.WITHDRAWN)


async def review(actor: Claims, version_id: int, verdict: VersionReviewIn) -> None:
    if not verdict.approved and verdict.reason is None:
        raise Unprocessable(OpenProblem.REASON_REQUIRED)
    status = AppVersionStatus.APPROVED if verdict.approved else AppVersionStatus.REJECTED
    async with unit_of_work():
        await _move(
            version_id,
            (AppVersionStatus.IN_REVIEW,),
            status,
            {"reviewed_by": actor.user_id, "reviewed_at": utc_now(), "reason": verdict.reason},
        )
        row = await _version_row(version_id)
        await tell(
            row["app_id"],
            WebhookEvent.VERSION_APPROVED if verdict.approved else WebhookEvent.VERSION_REJECTED,
            {
                "version_id": version_id,
                "number": row["number"],
                "label": row["label"],
                "reason": verdict.reason,
            },
        )
        await audit(
            actor,
            "open_platform.version_reviewed",
            None,
            {"version_id": version_id, "status": status},
        )


async def queue() -> ReviewQueue:
    """The versions in review, the longest waiting first, each against the version the app
    approved last (an older draft sent late is compared with what it would replace)."""
    rows = await fetch_rows(
        "SELECT v.*, p.name AS publisher FROM open_platform_version v"
        " JOIN open_platform_app a ON a.app_id = v.app_id"
        " JOIN open_platform_publisher p ON p.id = a.publisher_id"
        " WHERE v.status = $1 ORDER BY v.submitted_at, v.id LIMIT 100",
        AppVersionStatus.IN_REVIEW,
    )
    return ReviewQueue(items=[await _review_item(row) for row in rows])


async def _review_item(row: Mapping[str, Any]) -> ReviewItem:
    approved = await fetch_rows(
        "SELECT * FROM open_platform_version WHERE app_id = $1 AND status = $2"
        " ORDER BY reviewed_at DESC, number DESC LIMIT 1",
        row["app_id"],
        AppVersionStatus.APPROVED,
    )
    version = view(row)
    before = view(approved[0]) if approved else None
    return ReviewItem(
        version=version,
        publisher=row["publisher"],
        against=before.id if before else None,
        changes=changes(before.manifest if before else None, version.manifest),
        asks_more=asks_more(before.manifest if before else None, version.manifest),
    )


def changes(before: AppManifest | None, after: AppManifest) -> list[ManifestChange]:
    """The manifest's fields that differ, sets in sorted order so that equal is equal."""
    was = msgspec.to_builtins(before, order="sorted") if before else {}
    now = msgspec.to_builtins(after, order="sorted")
    return [
        ManifestChange(field=name, was=was.get(name), now=now.get(name))
        for name in sorted(was.keys() | now.keys())
        if was.get(name) != now.get(name)
    ]


def asks_more(before: AppManifest | None, after: AppManifest) -> bool:
    """`after` asks for a permission or a field of data that `before` did not."""
    had = before.permissions if before else frozenset()
    fields = {ask.field for ask in before.data} if before else set()
    return bool(after.permissions - had) or any(ask.field not in fields for ask in after.data)


async def _move(
    version_id: int,
    allowed: tuple[AppVersionStatus, ...],
    status: AppVersionStatus,
    sets: Mapping[str, Any] | None = None,
) -> None:
    """Move the version from one of `allowed` to `status`, writing `sets` (columns named
    here in the code, never by a request) with it."""
    columns = {"status": status, **(sets or {})}
    assigned = ", ".join(f"{name} = ${n}" for n, name in enumerate(columns, start=1))
    first = len(columns) + 2
    marks = ", ".join(f"${n}" for n in range(first, first + len(allowed)))
    moved = await fetch_rows(
        f"UPDATE open_platform_version SET {assigned} WHERE id = ${first - 1}"  # noqa: S608
        f" AND status IN ({marks}) RETURNING id",
        *columns.values(),
        version_id,
        *allowed,
    )
    if not moved:
        row = await _version_row(version_id)
        raise Conflict(OpenProblem.VERSION_STATE, status=row["status"])


async def _owned_version(actor: Claims, version_id: int) -> str:
    return str((await owned_version_row(actor, version_id))["app_id"])


async def owned_version_row(actor: Claims, version_id: int) -> Mapping[str, Any]:
    """The version, for its app's publisher; a platform admin is refused; to anyone else
    it does not exist."""
    row = await _version_row(version_id)
    try:
        await owned_app(actor, row["app_id"])
    except NotFound as err:
        raise NotFound(OpenProblem.VERSION_NOT_FOUND) from err
    return row


async def app_of_version(version_id: int) -> str:
    return str((await _version_row(version_id))["app_id"])


async def _version_row(version_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM open_platform_version WHERE id = $1", version_id)
    if not rows:
        raise NotFound(OpenProblem.VERSION_NOT_FOUND)
    return rows[0]


def view(row: Mapping[str, Any]) -> AppVersionView:
    return AppVersionView(
        id=row["id"],
        app_id=row["app_id"],
        number=row["number"],
        label=row["label"],
        status=AppVersionStatus(row["status"]),
        manifest=msgspec.json.decode(row["manifest"], type=AppManifest),
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        reviewed_at=row["reviewed_at"],
        reason=row["reason"],
    )
