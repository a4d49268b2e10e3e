"""An admin's hold on an account: revoke its tokens, disable it, enable it again.

Each acts only on a person the admin administers (`backend.directory.users.service.administers`:
rank above every role they hold, over its path), never on the admin themselves.
"""

from __future__ import annotations

from auth.revocation import record_revocation
from auth.runtime import AuthRuntime
from auth.sessions import revoke_all_sessions
from backend.directory.users.service import audit, require_administered, set_active
from backend.kernel.claims import Claims


async def revoke_user(*, actor: Claims, user_id: int, runtime: AuthRuntime) -> None:
    """End every session and refuse every live access token of a user the admin oversees."""
    await require_administered(actor, user_id)
    await _end_everything(user_id, runtime)
    await audit(actor, "user.revoke", user_id, {})


async def disable_user(*, actor: Claims, user_id: int, runtime: AuthRuntime) -> None:
    """Disable an account: its tokens stop working now, and it can neither log in nor
    refresh until an admin enables it."""
    await require_administered(actor, user_id)
    await set_active(user_id=user_id, active=False)
    await _end_everything(user_id, runtime)
    await audit(actor, "user.disable", user_id, {})


async def enable_user(*, actor: Claims, user_id: int) -> None:
    """Let a disabled account log in again; its earlier sessions stay ended."""
    await require_administered(actor, user_id)
    await set_active(user_id=user_id, active=True)
    await audit(actor, "user.enable", user_id, {})


async def _end_everything(user_id: int, runtime: AuthRuntime) -> None:
    await revoke_all_sessions(user_id)
    notice = await record_revocation(user_id, access_token_ttl=runtime.settings.access_token_ttl)
    await runtime.revocations.announce(notice)
