"""Who a notification is for: named users, or holders of a role within or above an org unit."""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from backend.directory.users.tables import RoleAssignment
from backend.kernel.paths import ancestors
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


async def resolve(audience: Audience) -> list[int]:
    """The user ids of an audience, each once, in ascending order."""
    found = set(audience.user_ids)
    if audience.role is not None and audience.path is not None:
        where: Any
        if audience.reach is Reach.WITHIN:
            where = (RoleAssignment.scope_path == audience.path) | RoleAssignment.scope_path.like(
                audience.path + "/%"
            )
        else:
            where = RoleAssignment.scope_path.is_in(ancestors(audience.path))
        rows = await RoleAssignment.select(RoleAssignment.user).where(
            (RoleAssignment.role == audience.role) & where
        )
        found |= {row["user"] for row in rows}
    return sorted(found)
