"""Apps: a verified publisher registers one with its manifest and gets its credentials;
the manifest becomes the app's first version, a draft. An app is seen by its publisher and
the platform's admins; to anyone else it does not exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import (
    UNIQUE_VIOLATION,
    Claims,
    Conflict,
    Forbidden,
    NotFound,
    Role,
    Vault,
    all_or_nothing,
    audit,
    fetch_rows,
    utc_now,
)
from miniapps.open_platform.credentials import issue_secret, new_app_id, working_secrets
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.manifest import check_manifest
from miniapps.open_platform.schemas import (
    AppIn,
    AppList,
    AppRegistered,
    AppVersionStatus,
    AppView,
    PublisherStatus,
    SecretIssued,
    WebhookKeyIssued,
)
from miniapps.open_platform.webhook_keys import issue_key


async def register_app(actor: Claims, app: AppIn) -> AppRegistered:
    publisher = await _verified_publisher_of(actor)
    check_manifest(app.manifest, at="manifest.")
    app_id = new_app_id()
    try:
        async with all_or_nothing():
            await fetch_rows(
                "INSERT INTO open_platform_app (app_id, slug, publisher_id, created_by,"
                " created_at) VALUES ($1, $2, $3, $4, $5)",
                app_id,
                app.manifest.id,
                publisher["id"],
                actor.user_id,
                utc_now(),
            )
            credentials = await issue_secret(app_id)
            version_id = await add_draft(actor, app_id, app)
            await audit(actor, "open_platform.app_registered", None, {"app_id": app_id})
    except UNIQUE_VIOLATION as err:
        raise Conflict(OpenProblem.SLUG_TAKEN) from err
    return AppRegistered(
        app=await app_view(await app_row(app_id)), credentials=credentials, version_id=version_id
    )


async def add_draft(actor: Claims, app_id: str, app: AppIn) -> int:
    """The app's next version, a draft, numbered after the last (inside the caller's
    transaction, which holds the app's row)."""
    rows = await fetch_rows(
        "INSERT INTO open_platform_version (app_id, number, label, manifest, status,"
        " created_by, created_at) SELECT CAST($1 AS VARCHAR), COALESCE(MAX(number), 0) + 1,"
        " $2, $3, $4, $5, $6 FROM open_platform_version WHERE app_id = $1 RETURNING id",
        app_id,
        app.label,
        msgspec.json.encode(app.manifest, order="deterministic").decode(),
        AppVersionStatus.DRAFT,
        actor.user_id,
        utc_now(),
    )
    return int(rows[0]["id"])


async def rotate_secret(actor: Claims, app_id: str) -> SecretIssued:
    await owned_app(actor, app_id)
    async with all_or_nothing():
        await hold_app(app_id)
        issued = await issue_secret(app_id)
        await audit(actor, "open_platform.secret_rotated", None, {"app_id": app_id})
    return issued


async def rotate_webhook_key(actor: Claims, app_id: str, vault: Vault) -> WebhookKeyIssued:
    await owned_app(actor, app_id)
    async with all_or_nothing():
        await hold_app(app_id)
        issued = await issue_key(app_id, vault)
        await audit(actor, "open_platform.webhook_key_issued", None, {"app_id": app_id})
    return issued


async def mine(actor: Claims) -> AppList:
    rows = await fetch_rows(
        "SELECT a.* FROM open_platform_app a JOIN open_platform_publisher p"
        " ON p.id = a.publisher_id WHERE p.owner_id = $1 ORDER BY a.id",
        actor.user_id,
    )
    return AppList(items=[await app_view(row) for row in rows])


async def seen_app(actor: Claims, app_id: str) -> Mapping[str, Any]:
    """The app, for its publisher's developer or a platform admin; to anyone else a 404."""
    row = await app_row(app_id)
    if actor.has_role(Role.PLATFORM_ADMIN) or await _owns(actor, row):
        return row
    raise NotFound(OpenProblem.APP_NOT_FOUND)


async def owned_app(actor: Claims, app_id: str) -> Mapping[str, Any]:
    """The app, for its publisher's developer; a platform admin sees it but is refused."""
    row = await seen_app(actor, app_id)
    if not await _owns(actor, row):
        raise Forbidden(OpenProblem.NOT_YOUR_APP)
    return row


async def hold_app(app_id: str) -> None:
    """Take the app's row until the transaction ends, so its versions change one at a time
    (a write: PostgreSQL locks the row, SQLite the database)."""
    await fetch_rows("UPDATE open_platform_app SET slug = slug WHERE app_id = $1", app_id)


async def app_row(app_id: str) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM open_platform_app WHERE app_id = $1", app_id)
    if not rows:
        raise NotFound(OpenProblem.APP_NOT_FOUND)
    return rows[0]


async def app_view(row: Mapping[str, Any]) -> AppView:
    return AppView(
        app_id=row["app_id"],
        slug=row["slug"],
        publisher_id=row["publisher_id"],
        created_at=row["created_at"],
        secrets=await working_secrets(row["app_id"]),
    )


async def _owns(actor: Claims, app: Mapping[str, Any]) -> bool:
    if not actor.has_role(Role.DEVELOPER):
        return False
    rows = await fetch_rows(
        "SELECT 1 FROM open_platform_publisher WHERE id = $1 AND owner_id = $2",
        app["publisher_id"],
        actor.user_id,
    )
    return bool(rows)


async def _verified_publisher_of(actor: Claims) -> Mapping[str, Any]:
    rows = await fetch_rows(
        "SELECT * FROM open_platform_publisher WHERE owner_id = $1", actor.user_id
    )
    if not rows:
        raise NotFound(OpenProblem.PUBLISHER_NOT_FOUND)
    if rows[0]["status"] != PublisherStatus.VERIFIED:
        raise Conflict(OpenProblem.PUBLISHER_UNVERIFIED)
    return rows[0]
