"""Sessions: a login starts a refresh-token family; each refresh rotates it.

The family's id is the session id (`sid`) of every access token it issues. A refresh token
is used once. Presenting a used one means it was stolen or replayed, so the session ends:
its family is revoked and its access tokens are refused at once. Presenting a token of a
session that has already ended (a logout, an admin's revoke) just says so. Roles are read
afresh at each refresh, so a role change takes effect then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import msgspec

from auth.errors import AuthCode
from auth.revocation import RevocationSync, record_revocation
from auth.tables import RefreshToken
from auth.tokens import Grant, TokenService
from backend.directory.users.tables import RoleAssignment, UserAccount
from backend.kernel.clock import utc_now
from backend.kernel.db import transaction
from backend.kernel.errors import Forbidden, Unauthorized
from backend.kernel.roles import Role
from backend.kernel.settings import Settings


class TokenPair(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def grant_for(user_id: int) -> Grant:
    """The roles and scope a user holds now; every account is a resident of its home."""
    user = await UserAccount.select().where(UserAccount.id == user_id).first()
    if user is None or not user["active"]:
        raise Forbidden(AuthCode.ACCOUNT_DISABLED)
    scope: dict[str, list[str]] = {}
    if user["home_path"]:
        scope[Role.RESIDENT] = [user["home_path"]]
    rows = await RoleAssignment.select(RoleAssignment.role, RoleAssignment.scope_path).where(
        RoleAssignment.user == user_id
    )
    for row in rows:
        scope.setdefault(row["role"], []).append(row["scope_path"])
    roles = sorted({Role.RESIDENT, *(row["role"] for row in rows)})
    return Grant(
        user_id=user_id,
        roles=roles,
        scope={role: sorted(paths) for role, paths in scope.items()},
        locale=user["locale"],
        elder_mode=user["elder_mode"],
    )


async def start_session(*, user_id: int, tokens: TokenService, settings: Settings) -> TokenPair:
    grant = await grant_for(user_id)
    family = secrets.token_hex(16)
    proved = utc_now().replace(microsecond=0)
    refresh = await _new_link(user_id=user_id, family=family, proved=proved, settings=settings)
    return _pair(tokens, grant, family, refresh, proved, settings)


async def refresh_session(
    *, refresh_token: str, tokens: TokenService, settings: Settings, revocations: RevocationSync
) -> TokenPair:
    """Trade a refresh token for a new pair; a second use of any link ends its session."""
    link = (
        await RefreshToken.select().where(RefreshToken.token_hash == _hash(refresh_token)).first()
    )
    if link is None:
        raise Unauthorized(AuthCode.REFRESH_INVALID)
    if link["revoked_at"] is not None:
        raise Unauthorized(AuthCode.SESSION_ENDED)
    if link["used_at"] is not None:
        await _end(link, settings=settings, revocations=revocations)
        raise Unauthorized(AuthCode.REFRESH_REUSED)
    if link["expires_at"] <= utc_now():
        raise Unauthorized(AuthCode.REFRESH_INVALID)
    async with transaction():
        claimed = (
            await RefreshToken.update({RefreshToken.used_at: utc_now()})
            .where((RefreshToken.id == link["id"]) & RefreshToken.used_at.is_null())
            .returning(RefreshToken.id)
        )
        if claimed:
            grant = await grant_for(link["user_id"])
            refresh = await _new_link(
                user_id=link["user_id"],
                family=link["family"],
                proved=link["authenticated_at"],
                settings=settings,
            )
    if not claimed:
        await _end(link, settings=settings, revocations=revocations)
        raise Unauthorized(AuthCode.REFRESH_REUSED)
    return _pair(tokens, grant, link["family"], refresh, link["authenticated_at"], settings)


async def end_session(
    *, refresh_token: str, settings: Settings, revocations: RevocationSync
) -> None:
    """Log out: the session can no longer refresh, and its access tokens are refused now,
    in every process; the user's other sessions go on. Unknown tokens are ignored."""
    link = (
        await RefreshToken.select(RefreshToken.family, RefreshToken.user_id)
        .where(RefreshToken.token_hash == _hash(refresh_token))
        .first()
    )
    if link is not None:
        await _end(link, settings=settings, revocations=revocations)


async def _end(link: dict[str, Any], *, settings: Settings, revocations: RevocationSync) -> None:
    # A session ended before (a second logout, a revoke) already has its deny entry.
    if not await revoke_family(link["family"]):
        return
    notice = await record_revocation(
        link["user_id"], access_token_ttl=settings.access_token_ttl, session=link["family"]
    )
    await revocations.announce(notice)


async def revoke_family(family: str) -> int:
    """Revoke every live link of a session; returns how many were still live."""
    revoked = (
        await RefreshToken.update({RefreshToken.revoked_at: utc_now()})
        .where((RefreshToken.family == family) & RefreshToken.revoked_at.is_null())
        .returning(RefreshToken.id)
    )
    return len(revoked)


async def revoke_all_sessions(user_id: int) -> None:
    await RefreshToken.update({RefreshToken.revoked_at: utc_now()}).where(
        (RefreshToken.user_id == user_id) & RefreshToken.revoked_at.is_null()
    )


async def _new_link(
    *, user_id: int, family: str, proved: dt.datetime | None, settings: Settings
) -> str:
    token = secrets.token_urlsafe(32)
    await RefreshToken.insert(
        RefreshToken(
            token_hash=_hash(token),
            family=family,
            user_id=user_id,
            expires_at=utc_now() + dt.timedelta(seconds=settings.refresh_token_ttl),
            authenticated_at=proved,
        )
    )
    return token


def _pair(
    tokens: TokenService,
    grant: Grant,
    session: str,
    refresh: str,
    proved: dt.datetime | None,
    settings: Settings,
) -> TokenPair:
    # A family begun before logins were dated has none: its tokens never count as fresh.
    proved_at = None if proved is None else int(proved.timestamp())
    access, _ = tokens.issue(grant, session=session, authenticated_at=proved_at)
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=settings.access_token_ttl,
    )
