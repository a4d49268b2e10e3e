"""`yimen grid_events suggest`: proposals for the dispatch rules, from the reassignments
admins made by hand: who ended up handling a category in a grid the rules sent elsewhere.
An admin applies one with `PUT /v1/miniapps/grid_events/rules`; an applied one is not
proposed again."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click
import msgspec

from backend.sdk import json_value, run_with_database
from miniapps.grid_events.tables import DispatchRule, GridEvent, TimelineEntry


class Suggestion(msgspec.Struct, frozen=True):
    category: str
    grid: str
    handler_id: int
    reassignments: int


async def suggestions(minimum: int = 3) -> list[Suggestion]:
    moves = await TimelineEntry.select(TimelineEntry.event_id, TimelineEntry.detail).where(
        TimelineEntry.action == "reassign"
    )
    events = {
        e["id"]: e
        for e in await GridEvent.select(
            GridEvent.id, GridEvent.category, GridEvent.grid_path
        ).where(GridEvent.id.is_in([m["event_id"] for m in moves] or [0]))
    }
    counted: Counter[tuple[str, str, int]] = Counter()
    for move in moves:
        handler = json_value(move["detail"]).get("handler_id")
        event: dict[str, Any] | None = events.get(move["event_id"])
        if handler is not None and event is not None:
            counted[(event["category"], event["grid_path"], int(handler))] += 1
    ruled = {
        (r["category"], r["place_path"], r["handler_id"])
        for r in await DispatchRule.select(
            DispatchRule.category, DispatchRule.place_path, DispatchRule.handler_id
        )
    }
    return [
        Suggestion(category=c, grid=g, handler_id=h, reassignments=n)
        for (c, g, h), n in counted.most_common()
        if n >= minimum and (c, g, h) not in ruled
    ]


@click.command("suggest")
@click.option("--minimum", default=3, show_default=True, help="reassignments to count")
def suggest(minimum: int) -> None:
    """Propose dispatch rules from the reassignments made by hand."""
    found = run_with_database(lambda _: suggestions(minimum))
    if not found:
        click.echo("no rule changes to suggest")
    for s in found:
        click.echo(
            f"send {s.category} in {s.grid} to user {s.handler_id} "
            f"({s.reassignments} reassignments by hand)"
        )
