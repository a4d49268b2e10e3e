"""Who may take which step of an event now: the one rule that both the check of a step and
the `allowed_actions` of a view ask, so a view never offers a step the check refuses, nor
hides one it takes.

What a caller is to an event (admin above its grid, its handler, a verifier) comes from the
token and the event's row alone, so a page of events gets its actions without a query."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from backend.sdk import Claims, Conflict, Forbidden, Role
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.states import ACTION_NAMES, MOVES, STATE_NAMES, Action, Actor, State

ADMINS = (Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)


def relations(actor: Claims, event: Mapping[str, Any]) -> frozenset[Actor]:
    """What the caller is to the event, in the terms of `states.MOVES`: an admin above its
    grid; its handler; or, not being its handler, a worker or admin of its grid (a
    verifier, so that nobody verifies their own work)."""
    grid = event["grid_path"]
    found = set()
    if actor.covers(grid, *ADMINS):
        found.add(Actor.ADMIN)
    if event["handler_id"] == actor.user_id:
        found.add(Actor.HANDLER)
    elif actor.covers(grid, Role.GRID_WORKER, *ADMINS):
        found.add(Actor.VERIFIER)
    return frozenset(found)


def refusal(state: State, relations: frozenset[Actor], action: Action) -> GridEventsCode | None:
    """Why `action` may not be taken on an event in `state` by a caller who is `relations`
    to it, or None if it may: first the state (a 409), then who may (a 403 naming why)."""
    move = MOVES[action]
    if state not in move.sources:
        return GridEventsCode.EVENT_TRANSITION_ILLEGAL
    if move.actors & relations:
        return None
    if Actor.VERIFIER in move.actors and Actor.HANDLER in relations:
        return GridEventsCode.EVENT_OWN_WORK
    if move.actors == {Actor.ADMIN}:
        return GridEventsCode.EVENT_ADMINS_ONLY
    if move.actors == {Actor.HANDLER}:
        return GridEventsCode.EVENT_HANDLER_ONLY
    return GridEventsCode.EVENT_STAFF_ONLY


def allowed_actions(state: State, relations: frozenset[Actor]) -> list[Action]:
    """The steps such a caller may take on such an event now, in the chain's order."""
    return list(_allowed(state, relations))


@functools.cache
def _allowed(state: State, relations: frozenset[Actor]) -> tuple[Action, ...]:
    # A handful of states times a handful of relations: a list of events asks the same few.
    return tuple(action for action in Action if refusal(state, relations, action) is None)


def require_allowed(actor: Claims, event: Mapping[str, Any], action: Action) -> None:
    """Refuse a step the rule does not allow: a 409 `event_transition_illegal` if the state
    does not take it, else a 403 whose code says who may. Both name the state, the action
    and the caller's allowed actions, as members of the problem and in its message."""
    state = State(event["state"])
    related = relations(actor, event)
    why = refusal(state, related, action)
    if why is None:
        return
    allowed = allowed_actions(state, related)
    extensions = {"state": state, "action": action, "allowed_actions": allowed}
    if why is GridEventsCode.EVENT_TRANSITION_ILLEGAL:
        raise Conflict(why, extensions=extensions, **_named(state, action, allowed))
    raise Forbidden(why, extensions=extensions)


def _named(state: State, action: Action, allowed: list[Action]) -> dict[str, Any]:
    """The message's parameters: the state, action and allowed actions in each locale."""
    return {
        "state_zh": STATE_NAMES[state]["zh-CN"],
        "state_en": STATE_NAMES[state]["en"],
        "action_zh": ACTION_NAMES[action]["zh-CN"],
        "action_en": ACTION_NAMES[action]["en"],
        "allowed_zh": "、".join(ACTION_NAMES[a]["zh-CN"] for a in allowed) or "无",
        "allowed_en": ", ".join(ACTION_NAMES[a]["en"] for a in allowed) or "nothing",
    }
