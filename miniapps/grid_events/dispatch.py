"""Choosing a handler: the grid's on-duty workers of the category's role, least loaded first,
then up the org tree; with nobody on duty at any level, the grid's own workers all the same.
Or the one an admin names, if they work within the admin's subtree."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from auth.claims import Claims
from auth.roles import Role
from backend.errors import Unprocessable
from backend.orgs.paths import ancestors, is_within
from backend.users.tables import RoleAssignment
from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.duty import off_duty
from miniapps.grid_events.states import State
from miniapps.grid_events.tables import GridEvent

OPEN = [State.DISPATCHED, State.HANDLING]


async def choose_handler(*, actor: Claims | None, event: dict[str, Any], chosen: int | None) -> int:
    role = CATEGORIES[event["category"]].handler_role
    if chosen is not None and actor is not None:
        return await _named(actor, event, chosen)
    paths = ancestors(event["grid_path"])
    holders = await RoleAssignment.select(RoleAssignment.user, RoleAssignment.scope_path).where(
        (RoleAssignment.role == role) & RoleAssignment.scope_path.is_in(paths)
    )
    levels = [
        sorted({int(h["user"]) for h in holders if h["scope_path"] == path})
        for path in reversed(paths)
    ]
    levels = [level for level in levels if level]
    if not levels:
        raise Unprocessable("event_no_handler")
    away = await off_duty({user for level in levels for user in level})
    for level in levels:
        on_duty = [user for user in level if user not in away]
        if on_duty:
            return await _least_loaded(on_duty)
    return await _least_loaded(levels[0])


async def _named(actor: Claims, event: dict[str, Any], user_id: int) -> int:
    rows = await RoleAssignment.select(RoleAssignment.scope_path).where(
        RoleAssignment.user == user_id
    )
    admin_paths = actor.paths_for(Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)
    works_here = any(is_within(row["scope_path"], admin) for row in rows for admin in admin_paths)
    if not works_here:
        raise Unprocessable("event_no_handler")
    return user_id


async def _least_loaded(candidates: list[int]) -> int:
    """Counted by the database: a busy worker's queue is not read row by row per report."""
    if len(candidates) == 1:  # most grids have one worker: nothing to weigh
        return candidates[0]
    rows = (
        await GridEvent.select(GridEvent.handler_id, Count(alias="open"))
        .where(GridEvent.handler_id.is_in(candidates) & GridEvent.state.is_in(OPEN))
        .group_by(GridEvent.handler_id)
    )
    loads = {row["handler_id"]: row["open"] for row in rows}
    return min(candidates, key=lambda c: (loads.get(c, 0), c))
