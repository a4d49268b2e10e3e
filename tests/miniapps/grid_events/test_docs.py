"""docs/grid-events.md says what the code does: its diagram has every step of the chain and
no other, its table says who may take each step from where to where, and every error code
of the app is explained."""

from __future__ import annotations

import re
from pathlib import Path

from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.states import ACTION_NAMES, MOVES, Actor, State

DOC = (Path(__file__).parents[3] / "docs" / "grid-events.md").read_text()
EDGE = re.compile(r"^\s*(\w+) --> (\w+): (\w+) ")


def _in_order(members: frozenset[State] | frozenset[Actor], kind: type) -> str:
    return ", ".join(m.value for m in kind if m in members)


def expected_table() -> list[str]:
    """The table's rows as the rules make them (paste these if a rule changes)."""
    return [
        f"| `{action}` | {ACTION_NAMES[action]['zh-CN']} | {_in_order(move.sources, State)} "
        f"| {move.target} | {_in_order(move.actors, Actor)} "
        f"| {'required' if move.needs_reason else ''} |"
        for action, move in MOVES.items()
    ]


def test_the_table_of_steps_is_the_rules() -> None:
    rows = [line for line in DOC.splitlines() if line.startswith("| `") and "` | " in line]
    steps = [row for row in rows if row.split("`")[1] in MOVES]
    assert steps == expected_table(), "\n".join(expected_table())


def test_the_diagram_has_every_step_and_no_other() -> None:
    diagram = DOC.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = {m.groups() for line in diagram.splitlines() if (m := EDGE.match(line))}
    ruled = {
        (source.value, move.target.value, action.value)
        for action, move in MOVES.items()
        for source in move.sources
    }
    assert drawn == ruled


def test_every_error_code_is_explained() -> None:
    missing = [code.value for code in GridEventsCode if f"`{code.value}`" not in DOC]
    assert missing == []
