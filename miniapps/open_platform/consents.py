"""A user's consents: per app and per field of their data, each for the purpose the app
stated when they gave it. A revoked consent stops the app's reads at once: every read asks
for the consents standing at that moment."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from backend.sdk import Claims, NotFound, fetch_rows, unit_of_work, utc_now
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.schemas import (
    AppManifest,
    ConsentList,
    ConsentView,
    DataField,
    WebhookEvent,
)
from miniapps.open_platform.webhooks import tell

# The name each app goes by: that of the version released, else of the one in gray release.
_CONSENTS = (
    "SELECT c.app_id, c.field, c.purpose, c.granted_at, a.slug, v.manifest"
    " FROM open_platform_consent c JOIN open_platform_app a ON a.app_id = c.app_id"
    " LEFT JOIN open_platform_version v"
    " ON v.id = COALESCE(a.released_version_id, a.gray_version_id)"
    " WHERE c.user_id = $1 AND c.revoked_at IS NULL ORDER BY c.granted_at DESC, c.id DESC"
    " LIMIT 200"  # more than a user could give: an app asks for four fields at most
)


async def consent_to(app_id: str, user_id: int, purposes: Mapping[DataField, str]) -> None:
    """Record the user's consent to each field, for its purpose; one already standing
    stays as it was."""
    now = utc_now()
    for field, purpose in sorted(purposes.items()):
        await fetch_rows(
            "INSERT INTO open_platform_consent (app_id, user_id, field, purpose, granted_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            app_id,
            user_id,
            field,
            purpose,
            now,
        )


async def standing_fields(app_id: str, user_id: int) -> frozenset[DataField]:
    rows = await fetch_rows(
        "SELECT field FROM open_platform_consent WHERE app_id = $1 AND user_id = $2"
        " AND revoked_at IS NULL",
        app_id,
        user_id,
    )
    return frozenset(DataField(row["field"]) for row in rows)


async def my_consents(actor: Claims) -> ConsentList:
    rows = await fetch_rows(_CONSENTS, actor.user_id)
    return ConsentList(
        items=[
            ConsentView(
                app_id=row["app_id"],
                app_name=_name(row["manifest"]) or row["slug"],
                field=DataField(row["field"]),
                purpose=row["purpose"],
                granted_at=row["granted_at"],
            )
            for row in rows
        ]
    )


async def revoke(actor: Claims, app_id: str, field: DataField | None) -> list[DataField]:
    """Revoke the caller's consents to the app (to one field, when named): the fields
    revoked. Revoking every field unbinds the caller from the app too: it no longer knows
    their openid until they launch it again. The app hears of both by its webhook.
    Nothing to revoke or unbind is a 404."""
    async with unit_of_work():
        revoked = await fetch_rows(
            "UPDATE open_platform_consent SET revoked_at = $1 WHERE app_id = $2"
            " AND user_id = $3 AND revoked_at IS NULL"
            " AND (CAST($4 AS VARCHAR) = '' OR field = CAST($4 AS VARCHAR))"
            " RETURNING field",
            utc_now(),
            app_id,
            actor.user_id,
            field or "",
        )
        fields = sorted(DataField(row["field"]) for row in revoked)
        openid = await _openid(app_id, actor.user_id)
        if openid is not None and fields:
            await tell(app_id, WebhookEvent.CONSENT_REVOKED, {"openid": openid, "fields": fields})
        unbound = openid is not None and field is None and await _unbind(app_id, actor.user_id)
        if unbound:
            await tell(app_id, WebhookEvent.USER_UNBOUND, {"openid": openid})
        if not fields and not unbound:
            raise NotFound(OpenProblem.CONSENT_NOT_FOUND)
    return fields


async def _openid(app_id: str, user_id: int) -> str | None:
    rows = await fetch_rows(
        "SELECT openid FROM open_platform_identity WHERE app_id = $1 AND user_id = $2",
        app_id,
        user_id,
    )
    return str(rows[0]["openid"]) if rows else None


async def _unbind(app_id: str, user_id: int) -> bool:
    """Forget whom the user is to the app; a launch code they took before is spent, so it
    cannot bind them again behind their back."""
    await fetch_rows(
        "UPDATE open_platform_launch SET used_at = $1 WHERE app_id = $2 AND user_id = $3"
        " AND used_at IS NULL",
        utc_now(),
        app_id,
        user_id,
    )
    gone = await fetch_rows(
        "DELETE FROM open_platform_identity WHERE app_id = $1 AND user_id = $2 RETURNING id",
        app_id,
        user_id,
    )
    return bool(gone)


def _name(manifest: str | None) -> str | None:
    if manifest is None:
        return None
    return msgspec.json.decode(manifest, type=AppManifest).names.zh_cn
