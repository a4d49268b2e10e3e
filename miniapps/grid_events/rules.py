"""Dispatch rules (派遣规则): an admin sends a category's events in a place, and below it, to
one worker ahead of the grid's own workers (while that worker is on duty). `yimen
grid_events suggest` proposes rules from the reassignments admins made by hand."""

from __future__ import annotations

import functools
import operator
from typing import Any

from backend.sdk import (
    Claims,
    Forbidden,
    KernelCode,
    NotFound,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    require_unit,
)
from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.dispatch import handles_under
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.schemas import RuleIn, RulePage, RuleView
from miniapps.grid_events.tables import DispatchRule


async def set_rule(*, actor: Claims, rule: RuleIn, admins: tuple[Any, ...]) -> RuleView:
    """Make or replace the rule for a category in a place the admin holds, naming a worker
    who holds the category's handler role within the admin's subtree."""
    if rule.category not in CATEGORIES:
        raise Unprocessable(GridEventsCode.EVENT_REPORT_INVALID)
    if not actor.covers(rule.place_path, *admins):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    await require_unit(rule.place_path, field="place_path")
    if not await handles_under(actor, rule.handler_id, CATEGORIES[rule.category].handler_role):
        raise Unprocessable(GridEventsCode.EVENT_NO_HANDLER)
    rows = (
        await DispatchRule.insert(
            DispatchRule(
                category=rule.category,
                place_path=rule.place_path,
                handler_id=rule.handler_id,
                set_by=actor.user_id,
            )
        )
        .on_conflict(
            target=(DispatchRule.category, DispatchRule.place_path),
            action="DO UPDATE",
            values=[DispatchRule.handler_id, DispatchRule.set_by, DispatchRule.set_at],
        )
        .returning(*DispatchRule.all_columns())
    )
    return RuleView(**rows[0])


async def rules_under(
    *, actor: Claims, admins: tuple[Any, ...], cursor: str | None, limit: int
) -> RulePage:
    """The rules for places the admin holds, oldest first, a page at a time: the page after
    a cursor starts above the last id shown."""
    places = [
        (DispatchRule.place_path == path) | DispatchRule.place_path.like(path + "/%")
        for path in actor.paths_for(*admins)
    ]
    if not places:
        return RulePage(items=[], next_cursor=None)
    held: Any = functools.reduce(operator.or_, places)
    if cursor:
        held &= DispatchRule.id > decode_cursor(cursor)
    rows = await DispatchRule.select().where(held).order_by(DispatchRule.id).limit(limit + 1)
    items = [RuleView(**row) for row in rows[:limit]]
    more = len(rows) > limit
    return RulePage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def drop_rule(*, actor: Claims, rule_id: int, admins: tuple[Any, ...]) -> None:
    row = await DispatchRule.select().where(DispatchRule.id == rule_id).first()
    if row is None or not actor.covers(row["place_path"], *admins):
        raise NotFound(GridEventsCode.RULE_NOT_FOUND)
    await DispatchRule.delete().where(DispatchRule.id == rule_id)
