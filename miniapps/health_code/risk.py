"""Community risk levels (小区三色分层管理), set by officials, seen by those who live and
work there, counted per district for admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.sdk import (
    Claims,
    Forbidden,
    KernelCode,
    Level,
    NotFound,
    Role,
    ancestors,
    decode_position,
    encode_position,
    is_valid,
    level_of,
    unit_exists,
    units_under,
)
from miniapps.health_code.errors import HealthProblem
from miniapps.health_code.schemas import (
    RiskLevelName,
    RiskLevelPage,
    RiskLevelPosition,
    RiskLevelView,
)
from miniapps.health_code.tables import RiskLevel

OVERSEERS = (Role.HEALTH_OFFICIAL, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)


async def set_level(*, actor: Claims, community: str, level: RiskLevelName) -> RiskLevelView:
    if not _names_a(Level.COMMUNITY, community):
        raise NotFound(HealthProblem.COMMUNITY_UNKNOWN)
    if not actor.covers(community, Role.HEALTH_OFFICIAL):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    if not await unit_exists(community):
        raise NotFound(HealthProblem.COMMUNITY_UNKNOWN)
    now = dt.datetime.now(dt.UTC)
    values = {RiskLevel.level: level, RiskLevel.set_by: actor.user_id, RiskLevel.set_at: now}
    if not await _change_level(community, values):
        # A first level: of requests racing to create the row one inserts it, and the others
        # then change it, as they would one after another.
        created = (
            await RiskLevel.insert(RiskLevel({RiskLevel.community: community, **values}))
            .on_conflict(target=RiskLevel.community, action="DO NOTHING")
            .returning(RiskLevel.id)
        )
        if not created:
            await _change_level(community, values)
    return RiskLevelView(community=community, level=level)


async def _change_level(community: str, values: dict[Any, Any]) -> bool:
    updated = (
        await RiskLevel.update(values)
        .where(RiskLevel.community == community)
        .returning(RiskLevel.id)
    )
    return bool(updated)


async def levels_for(actor: Claims, *, cursor: str | None, limit: int) -> RiskLevelPage:
    """The levels of the communities the caller lives or works in (low when never set),
    by path, a page at a time."""
    after = decode_position(cursor, RiskLevelPosition).community if cursor else ""
    communities = sorted(
        {
            path
            for held in actor.paths_for()
            for path in ancestors(held)
            if level_of(path) is Level.COMMUNITY and path > after
        }
    )
    shown = communities[:limit]
    rows = {
        r["community"]: r["level"]
        for r in await RiskLevel.select().where(RiskLevel.community.is_in(shown or [""]))
    }
    more = len(communities) > limit
    return RiskLevelPage(
        items=[RiskLevelView(community=c, level=RiskLevelName(rows.get(c, "low"))) for c in shown],
        next_cursor=encode_position(RiskLevelPosition(shown[-1])) if more else None,
    )


async def counts_in(*, actor: Claims, district: str) -> dict[str, int]:
    """How many communities of a district are at each level (never set counts as low)."""
    levels = await _district_levels(actor, district)
    counts = {level.value: 0 for level in RiskLevelName}
    for level in levels.values():
        counts[level] += 1
    return counts


async def levels_in(
    *, actor: Claims, district: str, cursor: str | None, limit: int
) -> RiskLevelPage:
    """Each community of a district with its level (low when never set), by path, a page at
    a time: what those who oversee the district manage."""
    after = decode_position(cursor, RiskLevelPosition).community if cursor else ""
    levels = await _district_levels(actor, district)
    communities = sorted(c for c in levels if c > after)
    shown = communities[:limit]
    more = len(communities) > limit
    return RiskLevelPage(
        items=[RiskLevelView(community=c, level=RiskLevelName(levels[c])) for c in shown],
        next_cursor=encode_position(RiskLevelPosition(shown[-1])) if more else None,
    )


async def _district_levels(actor: Claims, district: str) -> dict[str, str]:
    """Every community of the district the caller oversees, with its level's name."""
    if not _names_a(Level.DISTRICT, district):
        raise NotFound(HealthProblem.DISTRICT_UNKNOWN)
    if not actor.covers(district, *OVERSEERS):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    if not await unit_exists(district):
        raise NotFound(HealthProblem.DISTRICT_UNKNOWN)
    communities = await units_under(district, Level.COMMUNITY)
    set_levels = {
        r["community"]: r["level"]
        for r in await RiskLevel.select().where(RiskLevel.community.is_in(communities or [""]))
    }
    return {community: set_levels.get(community, "low") for community in communities}


def _names_a(level: Level, path: str) -> bool:
    """True when `path` is well formed and as deep as a unit of `level` (its segments then
    hold no LIKE wildcard either)."""
    return is_valid(path) and level_of(path) is level
