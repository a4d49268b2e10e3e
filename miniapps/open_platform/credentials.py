"""An app's credentials: its `app_id` and secrets. A secret is shown once and kept as its
SHA-256; rotating it leaves the one before working for an overlap, so a publisher's
servers can take the new one up one by one."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from backend.sdk import fetch_rows, utc_now
from miniapps.open_platform.schemas import SecretIssued

OVERLAP = dt.timedelta(hours=24)


def new_app_id() -> str:
    return "yx" + secrets.token_hex(8)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_secret(app_id: str) -> SecretIssued:
    """A new secret for `app_id`; the one in use before it retires after the overlap, and
    any older one still in its overlap retires now, so at most two work at once. Inside
    the caller's transaction."""
    now = utc_now()
    until = now + OVERLAP
    await fetch_rows(
        "UPDATE open_platform_secret SET retires_at = $1 WHERE app_id = $2 AND retires_at > $1",
        now,
        app_id,
    )
    retired = await fetch_rows(
        "UPDATE open_platform_secret SET retires_at = $1 WHERE app_id = $2"
        " AND retires_at IS NULL RETURNING id",
        until,
        app_id,
    )
    secret = secrets.token_urlsafe(32)
    await fetch_rows(
        "INSERT INTO open_platform_secret (app_id, digest, issued_at) VALUES ($1, $2, $3)",
        app_id,
        digest_of(secret),
        now,
    )
    return SecretIssued(app_id=app_id, secret=secret, previous_until=until if retired else None)


async def secret_works(app_id: str, secret: str) -> bool:
    """`secret` is one of `app_id`'s that has not retired."""
    return await working_secret(app_id, secret) is not None


async def working_secret(app_id: str, secret: str) -> int | None:
    """The id of `secret` if it is one of `app_id`'s that has not retired."""
    rows = await fetch_rows(
        "SELECT id, digest FROM open_platform_secret WHERE app_id = $1"
        " AND (retires_at IS NULL OR retires_at > $2)",
        app_id,
        utc_now(),
    )
    offered = digest_of(secret)
    found = [row["id"] for row in rows if hmac.compare_digest(row["digest"], offered)]
    return int(found[0]) if found else None


async def working_secrets(app_id: str) -> int:
    rows = await fetch_rows(
        "SELECT count(*) AS n FROM open_platform_secret WHERE app_id = $1"
        " AND (retires_at IS NULL OR retires_at > $2)",
        app_id,
        utc_now(),
    )
    return int(rows[0]["n"])
