"""Revoking a user at once: their access tokens stop working in every process."""

from __future__ import annotations

from auth.claims import Claims
from auth.revocation import record_revocation
from auth.runtime import AuthRuntime
from auth.sessions import revoke_all_sessions
from backend.errors import NotFound
from backend.users.service import administers


async def revoke_user(*, actor: Claims, user_id: int, runtime: AuthRuntime) -> None:
    """End every session and refuse every live access token of a user the admin oversees."""
    if not await administers(actor, user_id):
        raise NotFound("user_not_found")
    await revoke_all_sessions(user_id)
    notice = await record_revocation(user_id, access_token_ttl=runtime.settings.access_token_ttl)
    await runtime.revocations.announce(notice)
