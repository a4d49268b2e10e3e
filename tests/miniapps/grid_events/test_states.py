"""What each named set of states holds, and that no module of grid events keeps a set of
its own: one that counted an event open while another counted it done would let it be
escalated yet closed to repeats, or published open yet taking no photos."""

from __future__ import annotations

import ast
from pathlib import Path

from miniapps.grid_events.states import DUE, FINISHED, IN_HAND, UNFINISHED, WATCHED, State

PACKAGE = Path(__file__).parents[3] / "miniapps" / "grid_events"
S = State


def test_each_named_set_holds_what_its_name_says() -> None:
    assert {S.CLOSED, S.CANCELLED} == FINISHED
    assert {
        S.REPORTED,
        S.REGISTERED,
        S.DISPATCHED,
        S.HANDLING,
        S.FED_BACK,
        S.VERIFIED,
        S.SUSPENDED,
    } == UNFINISHED
    assert {S.REPORTED, S.REGISTERED, S.DISPATCHED, S.HANDLING, S.FED_BACK} == WATCHED
    assert {S.DISPATCHED, S.HANDLING} == IN_HAND
    assert {
        S.REPORTED,
        S.REGISTERED,
        S.DISPATCHED,
        S.HANDLING,
        S.FED_BACK,
        S.VERIFIED,
    } == DUE


def test_every_state_is_finished_or_not_and_the_others_are_unfinished() -> None:
    assert set(State) == FINISHED | UNFINISHED
    assert not FINISHED & UNFINISHED
    assert IN_HAND <= WATCHED <= DUE <= UNFINISHED


def _state_collections(tree: ast.AST) -> list[int]:
    """Lines of list, tuple and set literals of two or more `State` members."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set) and len(node.elts) >= 2:
            members = [
                e
                for e in node.elts
                if isinstance(e, ast.Attribute)
                and isinstance(e.value, ast.Name)
                and e.value.id == "State"
            ]
            if len(members) == len(node.elts):
                found.append(node.lineno)
    return found


def test_no_module_but_states_defines_a_set_of_states() -> None:
    kept = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "states.py"
        and (lines := _state_collections(ast.parse(path.read_text(), str(path))))
    }
    assert kept == {}, "name the set in states.py and import it"
