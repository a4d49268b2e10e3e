"""Who a notice is for: named users, holders of a role within or above an org unit, or
everyone in an org unit (a grid, community, street or district: a district alert)."""

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
    # Everyone who lives in the unit at this path or works in it as a grid worker; an area
    # is the whole audience, never combined with the fields above.
    area: str | None = None

    @classmethod
    def users(cls, *user_ids: int) -> Audience:
        return cls(user_ids=list(user_ids))

    @classmethod
    def role_within(cls, role: Role, path: str) -> Audience:
        return cls(role=role, path=path, reach=Reach.WITHIN)

    @classmethod
    def role_above(cls, role: Role, path: str) -> Audience:
        return cls(role=role, path=path, reach=Reach.ABOVE)

    @classmethod
    def everyone_in(cls, path: str) -> Audience:
        """Everyone who lives or works in an org unit: "a flood warning for zz/gx"."""
        return cls(area=path)
