"""Choosing a handler: the worker a dispatch rule names for the category and place, then the
grid's workers of the category's role, least loaded first, then up the org tree; each only
while on duty, and with nobody on duty the first of them all the same. Or the one an admin
names, if they hold the category's handler role within the admin's subtree."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from backend.sdk import Claims, Role, Unprocessable, ancestors, holders_at, is_within, scopes_held
from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.duty import off_duty
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.states import IN_HAND
from miniapps.grid_events.tables import DispatchRule, GridEvent


async def choose_handler(*, actor: Claims | None, event: dict[str, Any], chosen: int | None) -> int:
    role = CATEGORIES[event["category"]].handler_role
    if chosen is not None and actor is not None:
        if not await handles_under(actor, chosen, role):
            raise Unprocessable(GridEventsCode.EVENT_NO_HANDLER)
        return chosen
    paths = ancestors(event["grid_path"])
    ruled = await _ruled(event["category"], paths)
    levels = ([[ruled]] if ruled is not None else []) + await _holders_by_level(role, paths)
    if not levels:
        raise Unprocessable(GridEventsCode.EVENT_NO_HANDLER)
    away = await off_duty({user for level in levels for user in level})
    for level in levels:
        on_duty = [user for user in level if user not in away]
        if on_duty:
            return await _least_loaded(on_duty)
    return await _least_loaded(levels[0])


async def _holders_by_level(role: Role, paths: list[str]) -> list[list[int]]:
    """The holders of `role` at each of `paths` that has any, deepest first."""
    holders = await holders_at(role, paths)
    levels = [sorted({user for user, at in holders if at == path}) for path in reversed(paths)]
    return [level for level in levels if level]


async def _ruled(category: str, paths: list[str]) -> int | None:
    """The worker the deepest dispatch rule for `category` over these paths names, if any."""
    rows = await DispatchRule.select(DispatchRule.place_path, DispatchRule.handler_id).where(
        (DispatchRule.category == category) & DispatchRule.place_path.is_in(paths)
    )
    deepest = max(rows, key=lambda row: len(row["place_path"]), default=None)
    return None if deepest is None else int(deepest["handler_id"])


async def handles_under(actor: Claims, user_id: int, role: Role) -> bool:
    """Whether the user holds `role` (a category's handler role) within the admin's subtree:
    any other role there, a merchant's or a family member's, is no licence to handle events."""
    held = await scopes_held(user_id, role)
    admin_paths = actor.paths_for(Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)
    return any(is_within(path, admin) for path in held for admin in admin_paths)


async def _least_loaded(candidates: list[int]) -> int:
    """Counted by the database: a busy worker's queue is not read row by row per report."""
    if len(candidates) == 1:  # most grids have one worker: nothing to weigh
        return candidates[0]
    rows = (
        await GridEvent.select(GridEvent.handler_id, Count(alias="open"))
        .where(GridEvent.handler_id.is_in(candidates) & GridEvent.state.is_in(list(IN_HAND)))
        .group_by(GridEvent.handler_id)
    )
    loads = {row["handler_id"]: row["open"] for row in rows}
    return min(candidates, key=lambda c: (loads.get(c, 0), c))
