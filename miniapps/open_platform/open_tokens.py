"""The open API's access tokens: an app's server trades its id and secret for one, good
for two hours. Taking a new one leaves the one before good for five minutes at most, so
requests already on their way with it still land; a token dies with its secret, so
retiring a leaked secret retires what was taken with it."""

from __future__ import annotations

import datetime as dt
import secrets

from backend.sdk import (
    AnyRequest,
    KernelCode,
    Quota,
    Unauthorized,
    all_or_nothing,
    count_against,
    fetch_rows,
    utc_now,
)
from miniapps.open_platform.apps import hold_app
from miniapps.open_platform.credentials import digest_of, working_secret
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.schemas import TokenIn, TokenIssued

LIFETIME = dt.timedelta(hours=2)
OVERLAP = dt.timedelta(minutes=5)
KEPT = dt.timedelta(days=1)  # how long an expired token's row stays, for the record


async def issue_token(credentials: TokenIn) -> TokenIssued:
    """A new token for the app whose secret this is; any other id or secret is refused
    alike, so a caller cannot learn which app ids exist."""
    secret_id = await working_secret(credentials.app_id, credentials.secret)
    if secret_id is None:
        raise Unauthorized(OpenProblem.CREDENTIALS_REFUSED)
    now = utc_now()
    token = secrets.token_urlsafe(32)
    async with all_or_nothing():
        # One trade of the app at a time, so each cuts short every token before it.
        await hold_app(credentials.app_id)
        await fetch_rows(
            "DELETE FROM open_platform_token WHERE app_id = $1 AND expires_at < $2",
            credentials.app_id,
            now - KEPT,
        )
        await fetch_rows(
            "UPDATE open_platform_token SET expires_at = $1 WHERE app_id = $2 AND expires_at > $1",
            now + OVERLAP,
            credentials.app_id,
        )
        await fetch_rows(
            "INSERT INTO open_platform_token (app_id, secret_id, digest, issued_at, expires_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            credentials.app_id,
            secret_id,
            digest_of(token),
            now,
            now + LIFETIME,
        )
    return TokenIssued(
        access_token=token, expires_in=int(LIFETIME.total_seconds()), expires_at=now + LIFETIME
    )


async def calling_app(request: AnyRequest) -> str:
    """The id of the app whose token the request bears, counted against the app's limit
    (429 once over it, from whichever of its servers); no token is a 401 as for any route
    needing credentials, an unknown or expired one a 401 of its own."""
    header = request.headers.get("authorization")
    if header is None:
        raise Unauthorized(KernelCode.UNAUTHENTICATED)
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise Unauthorized(OpenProblem.TOKEN_REFUSED)
    rows = await fetch_rows(
        "SELECT t.app_id FROM open_platform_token t JOIN open_platform_secret s"
        " ON s.id = t.secret_id WHERE t.digest = $1 AND t.expires_at > $2"
        " AND (s.retires_at IS NULL OR s.retires_at > $2)",
        digest_of(token.strip()),
        utc_now(),
    )
    if not rows:
        raise Unauthorized(OpenProblem.TOKEN_REFUSED)
    app_id = str(rows[0]["app_id"])
    await count_against(request, (Quota.OPEN_API, app_id))
    return app_id
