"""Who a notice is for: named users, or holders of a role within or above an org unit."""

from __future__ import annotations

import enum

import msgspec

from backend.kernel.roles import Role


class Reach(enum.StrEnum):
    WITHIN = "within"  # holders whose scope lies at or below the path: "grid workers of g07"
    ABOVE = "above"  # holders whose scope contains the path: "community admins above g07"


class Audience(msgspec.Struct, frozen=True, kw_only=True):
    user_ids: list[int] = []
    role: Role | None = None
    path: str | None = None
    reach: Reach = Reach.WITHIN

    @classmethod
    def users(cls, *user_ids: int) -> Audience:
        return cls(user_ids=list(user_ids))

    @classmethod
    def role_within(cls, role: Role, path: str) -> Audience:
        return cls(role=role, path=path, reach=Reach.WITHIN)

    @classmethod
    def role_above(cls, role: Role, path: str) -> Audience:
        return cls(role=role, path=path, reach=Reach.ABOVE)
