"""Community risk levels (小区三色分层管理), set by officials, seen by those who live and
work there, counted per district for admins."""

from __future__ import annotations

import datetime as dt

from auth.claims import Claims
from auth.roles import Role
from backend.errors import Forbidden, NotFound, register_messages
from backend.orgs.paths import Level, ancestors, level_of
from backend.orgs.tables import OrgUnit
from miniapps.health_code.schemas import RiskLevelName, RiskLevelView
from miniapps.health_code.tables import RiskLevel

register_messages({"community_unknown": ("社区不存在", "No such community")})

OVERSEERS = (Role.HEALTH_OFFICIAL, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)


async def set_level(*, actor: Claims, community: str, level: RiskLevelName) -> RiskLevelView:
    if not actor.covers(community, Role.HEALTH_OFFICIAL):
        raise Forbidden("scope_not_allowed")
    if level_of(community) is not Level.COMMUNITY or not await OrgUnit.exists().where(
        OrgUnit.path == community
    ):
        raise NotFound("community_unknown")
    now = dt.datetime.now(dt.UTC)
    updated = (
        await RiskLevel.update(
            {RiskLevel.level: level, RiskLevel.set_by: actor.user_id, RiskLevel.set_at: now}
        )
        .where(RiskLevel.community == community)
        .returning(RiskLevel.id)
    )
    if not updated:
        await RiskLevel.insert(
            RiskLevel(community=community, level=level, set_by=actor.user_id, set_at=now)
        )
    return RiskLevelView(community=community, level=level)


async def levels_for(actor: Claims) -> list[RiskLevelView]:
    """The levels of the communities the caller lives or works in (low when never set)."""
    communities = {
        path
        for held in actor.paths_for()
        for path in ancestors(held)
        if level_of(path) is Level.COMMUNITY
    }
    rows = {
        r["community"]: r["level"]
        for r in await RiskLevel.select().where(
            RiskLevel.community.is_in(sorted(communities) or [""])
        )
    }
    return [
        RiskLevelView(community=c, level=RiskLevelName(rows.get(c, "low")))
        for c in sorted(communities)
    ]


async def counts_in(*, actor: Claims, district: str) -> dict[str, int]:
    """How many communities of a district are at each level (never set counts as low)."""
    if not actor.covers(district, *OVERSEERS):
        raise Forbidden("scope_not_allowed")
    communities = [
        r["path"]
        for r in await OrgUnit.select(OrgUnit.path).where(
            (OrgUnit.level == Level.COMMUNITY) & OrgUnit.path.like(district + "/%")
        )
    ]
    levels = {
        r["community"]: r["level"]
        for r in await RiskLevel.select().where(RiskLevel.community.is_in(communities or [""]))
    }
    counts = {level.value: 0 for level in RiskLevelName}
    for community in communities:
        counts[levels.get(community, "low")] += 1
    return counts
