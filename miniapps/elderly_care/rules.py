"""A community's alarm timing (SOS rules): set by the admins over the community, read by
every alarm raised for an elder of its grids."""

from __future__ import annotations

import msgspec

from backend.sdk import (
    Claims,
    Forbidden,
    Level,
    NotFound,
    Role,
    ancestors,
    fetch_rows,
    level_of,
    unit_exists,
    utc_now,
)
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.schemas import SosRulesIn, SosRulesView

COMMUNITY_ADMINS = (Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)


class Timing(msgspec.Struct, frozen=True, kw_only=True):
    cancel_window_seconds: int = 5
    ring_gap_seconds: int = 60
    escalate_after_seconds: int = 300


DEFAULT = Timing()


def community_of(grid: str) -> str | None:
    """The community a grid (or any unit below one) lies in."""
    return next((p for p in ancestors(grid) if level_of(p) is Level.COMMUNITY), None)


async def timing_for(community: str | None) -> Timing:
    if community is None:
        return DEFAULT
    rows = await fetch_rows(
        "SELECT cancel_window_seconds, ring_gap_seconds, escalate_after_seconds"
        " FROM elderly_care_sos_rules WHERE community_path = $1",
        community,
    )
    return msgspec.convert(dict(rows[0]), Timing) if rows else DEFAULT


async def rules_of(*, actor: Claims, community: str) -> SosRulesView:
    await check_community_admin(actor, community)
    timing = await timing_for(community)
    rows = await fetch_rows(
        "SELECT 1 FROM elderly_care_sos_rules WHERE community_path = $1", community
    )
    return _view(community, timing, chosen=bool(rows))


async def set_rules(*, actor: Claims, rules: SosRulesIn) -> SosRulesView:
    """Keep a community's timing; alarms raised from now on follow it, earlier ones keep
    the plan they were raised with."""
    await check_community_admin(actor, rules.community)
    await fetch_rows(
        "INSERT INTO elderly_care_sos_rules (community_path, cancel_window_seconds,"
        " ring_gap_seconds, escalate_after_seconds, set_by, set_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community_path) DO UPDATE SET"
        " cancel_window_seconds = excluded.cancel_window_seconds,"
        " ring_gap_seconds = excluded.ring_gap_seconds,"
        " escalate_after_seconds = excluded.escalate_after_seconds,"
        " set_by = excluded.set_by, set_at = excluded.set_at",
        rules.community,
        rules.cancel_window_seconds,
        rules.ring_gap_seconds,
        rules.escalate_after_seconds,
        actor.user_id,
        utc_now(),
    )
    timing = msgspec.convert(msgspec.to_builtins(rules), Timing, strict=False)
    return _view(rules.community, timing, chosen=True)


async def check_community_admin(actor: Claims, community: str) -> None:
    if level_of(community) is not Level.COMMUNITY or not await unit_exists(community):
        raise NotFound(CareProblem.NOT_A_COMMUNITY)
    if not actor.covers(community, *COMMUNITY_ADMINS):
        raise Forbidden(CareProblem.COMMUNITY_NOT_YOURS)


def _view(community: str, timing: Timing, *, chosen: bool) -> SosRulesView:
    return SosRulesView(
        community=community,
        cancel_window_seconds=timing.cancel_window_seconds,
        ring_gap_seconds=timing.ring_gap_seconds,
        escalate_after_seconds=timing.escalate_after_seconds,
        chosen=chosen,
    )
