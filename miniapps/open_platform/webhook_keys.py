"""The keys an app's webhooks are signed with. A key is shown to the publisher once and kept
sealed, since signing needs it back; rotating leaves the key before signing beside the new
one for an overlap, and at most two sign at once."""

from __future__ import annotations

import secrets

from backend.sdk import Vault, body_signature, fetch_rows, utc_now
from miniapps.open_platform.credentials import OVERLAP
from miniapps.open_platform.schemas import WebhookKeyIssued

PURPOSE = "open_platform.webhook_key"


async def issue_key(app_id: str, vault: Vault) -> WebhookKeyIssued:
    """A new signing key for `app_id`, inside the caller's transaction (which holds the
    app's row): the key in use before it signs too until the overlap ends."""
    now = utc_now()
    until = now + OVERLAP
    await fetch_rows(
        "UPDATE open_platform_webhook_key SET retires_at = $1 WHERE app_id = $2"
        " AND retires_at > $1",
        now,
        app_id,
    )
    retired = await fetch_rows(
        "UPDATE open_platform_webhook_key SET retires_at = $1 WHERE app_id = $2"
        " AND retires_at IS NULL RETURNING id",
        until,
        app_id,
    )
    key = "whsec_" + secrets.token_urlsafe(32)
    await fetch_rows(
        "INSERT INTO open_platform_webhook_key (app_id, sealed, issued_at) VALUES ($1, $2, $3)",
        app_id,
        vault.seal(key, purpose=PURPOSE),
        now,
    )
    return WebhookKeyIssued(app_id=app_id, key=key, previous_until=until if retired else None)


async def signing_keys(app_id: str, vault: Vault) -> list[str]:
    """The app's keys that sign now, the newest first."""
    rows = await fetch_rows(
        "SELECT sealed FROM open_platform_webhook_key WHERE app_id = $1"
        " AND (retires_at IS NULL OR retires_at > $2) ORDER BY id DESC",
        app_id,
        utc_now(),
    )
    return [vault.open(row["sealed"], purpose=PURPOSE) for row in rows]


def signatures(keys: list[str], timestamp: str, body: bytes) -> str:
    """The `Yimen-Signature` header: `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` under
    each key, comma-separated."""
    return ",".join("v1=" + body_signature(key.encode(), timestamp, body) for key in keys)
