"""What an access token says about its holder; authorization reads only this."""

from __future__ import annotations

import msgspec

from backend.kernel.paths import is_within
from backend.kernel.roles import ADMIN_ROLES, Role, rank


class Claims(msgspec.Struct, frozen=True, kw_only=True):
    sub: str
    iss: str
    aud: str
    exp: int
    iat: int
    jti: str
    roles: list[str]
    scope: dict[str, list[str]] = {}
    locale: str | None = None  # the holder's chosen locale; None: each request's Accept-Language
    elder_mode: bool = False
    nbf: int | None = None
    sid: str | None = None  # the login session (refresh family) that issued the token
    # When the holder last proved who they are with a one-time code (OIDC's `auth_time`):
    # refreshes carry it on, so a step that wants a fresh proof can ask for a new login.
    auth_time: int | None = None

    @property
    def user_id(self) -> int:
        return int(self.sub)

    def authenticated_within(self, seconds: int, *, now: float) -> bool:
        """Whether the holder logged in with a one-time code in the last `seconds`."""
        return self.auth_time is not None and now - seconds <= self.auth_time <= now + 5

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    def paths_for(self, *roles: Role) -> list[str]:
        """The org paths the caller holds through any of `roles` (all roles when none given)."""
        if not roles:
            return [path for paths in self.scope.values() for path in paths]
        return [path for role in roles for path in self.scope.get(role, [])]

    def covers(self, path: str, *roles: Role) -> bool:
        """True when one of the caller's roles (of `roles`, if given) holds `path` or above it."""
        return any(is_within(path, held) for held in self.paths_for(*roles))

    def outranks(self, role: str, path: str) -> bool:
        """True when the caller holds an admin role that ranks above `role` over `path`."""
        return any(
            rank(admin) > rank(role) and self.covers(path, admin)
            for admin in ADMIN_ROLES
            if admin in self.roles
        )
