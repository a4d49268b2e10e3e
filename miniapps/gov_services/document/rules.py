"""The form's rules (JSON Forms' SHOW/HIDE model) as the server evaluates them.

A rule may read a field that another rule hides; a hidden field has no answer, so the rule
reading it must run after the rule hiding it. The rules therefore run in the order of what
they read, and rules that read each other in a circle are refused at publish."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from miniapps.gov_services.document.form import Effect, Rule
from miniapps.gov_services.document.pointers import ABSENT, answer_at, scope_path


class CompiledRule(NamedTuple):
    field: str
    effect: Effect
    reads: tuple[str, ...]  # the answer the condition reads, as a path
    matches: Callable[[Any], bool]


def evaluation_order(rules: Sequence[Rule]) -> tuple[list[Rule], list[str]]:
    """The rules, each after every rule of the field its condition reads; and the fields
    whose rules read each other in a circle (their rules come last, in document order)."""
    by_field: dict[str, list[Rule]] = {}
    for rule in rules:
        by_field.setdefault(rule.field, []).append(rule)
    ordered: list[Rule] = []
    done: set[str] = set()
    circular: list[str] = []
    for field in by_field:
        _visit(field, by_field, ordered, done, (), circular)
    ordered.extend(r for r in rules if r.field in circular)
    return ordered, circular


def _visit(
    field: str,
    by_field: Mapping[str, list[Rule]],
    ordered: list[Rule],
    done: set[str],
    trail: tuple[str, ...],
    circular: list[str],
) -> None:
    if field in done or field not in by_field:
        return
    if field in trail:
        circular.extend(f for f in trail[trail.index(field) :] if f not in circular)
        return
    for rule in by_field[field]:
        _visit(_read_field(rule), by_field, ordered, done, (*trail, field), circular)
    done.add(field)
    if field not in circular:
        ordered.extend(by_field[field])


def _read_field(rule: Rule) -> str:
    return scope_path(rule.condition.scope)[0]


def hidden_fields(rules: Sequence[CompiledRule], answers: Mapping[str, Any]) -> frozenset[str]:
    """The fields the rules hide given `answers`; a condition reading a hidden field sees
    no answer there."""
    hidden: set[str] = set()
    for rule in rules:
        if rule.field in hidden:
            continue
        value = ABSENT if rule.reads[0] in hidden else answer_at(answers, rule.reads)
        holds = value is not ABSENT and rule.matches(value)
        if holds != (rule.effect is Effect.SHOW):
            hidden.add(rule.field)
    return frozenset(hidden)


__all__ = ["CompiledRule", "evaluation_order", "hidden_fields"]
