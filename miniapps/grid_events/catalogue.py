"""The typed catalogue of event categories (城市部件/事件): who handles each, how urgent,
how long each step may take, and the extra attributes a report must carry.

A step is named by the state an event waits in: `reported` waits for 立案, `registered` for
派遣, `dispatched` for the handler to start, `handling` for 反馈, `fed_back` for 核查 and
`verified` for 结案."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import msgspec

from backend.sdk import Role
from miniapps.grid_events.states import State


class AttributeKind(enum.StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    MULTI = "multi"


class Attribute(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    kind: AttributeKind
    required: bool = False
    choices: tuple[str, ...] = ()


class Category(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    names: dict[str, str]
    handler_role: Role
    urgent: bool = False
    auto_dispatch: bool = False  # registered and dispatched by the rules as it is reported
    hours_per_step: float = 24  # for a step that `step_hours` does not name
    step_hours: dict[State, float] = msgspec.field(default_factory=dict)
    working_hours: bool = False  # count only office hours of working days towards deadlines
    # Whether anyone may read that such an event exists (Open311's public view). Only a
    # thing in a public place may be public; a category about a person or a household never
    # is, and a new category stays private until someone decides otherwise.
    public: bool = False

    def hours_for(self, step: State) -> float:
        return self.step_hours.get(step, self.hours_per_step)

    async def deadline(self, start: dt.datetime, step: State) -> dt.datetime:
        """When an event that entered `step` at `start` is overdue."""
        from miniapps.grid_events.deadlines import deadline_after

        return await deadline_after(start, self.hours_for(step), working_hours=self.working_hours)

    attributes: tuple[Attribute, ...] = ()


CATEGORIES = {
    c.code: c
    for c in (
        Category(
            code="manhole_cover",
            public=True,
            names={"zh-CN": "井盖破损", "en": "Broken manhole cover"},
            handler_role=Role.GRID_WORKER,
            urgent=True,
            hours_per_step=4,
            step_hours={State.REPORTED: 1, State.REGISTERED: 1, State.DISPATCHED: 1},
            attributes=(
                Attribute(
                    name="damage",
                    kind=AttributeKind.CHOICE,
                    required=True,
                    choices=("missing", "cracked", "tilted"),
                ),
            ),
        ),
        Category(
            code="street_vending",
            public=True,
            names={"zh-CN": "占道经营", "en": "Street vending"},
            handler_role=Role.GRID_WORKER,
            hours_per_step=24,
            step_hours={State.REPORTED: 4, State.DISPATCHED: 4},
        ),
        Category(
            code="dust",
            public=True,
            names={"zh-CN": "工地扬尘", "en": "Construction dust"},
            handler_role=Role.GRID_WORKER,
            hours_per_step=24,
            step_hours={State.HANDLING: 48},
            attributes=(Attribute(name="site", kind=AttributeKind.STRING),),
        ),
        Category(
            code="group_renting",
            working_hours=True,
            names={"zh-CN": "群租房", "en": "Group renting"},
            handler_role=Role.GRID_WORKER,
            hours_per_step=72,
            step_hours={State.REPORTED: 8},
            attributes=(Attribute(name="tenants", kind=AttributeKind.NUMBER),),
        ),
        Category(
            code="elderly_alert",
            names={"zh-CN": "老人求助", "en": "Elderly person alert"},
            handler_role=Role.GRID_WORKER,
            urgent=True,
            auto_dispatch=True,
            hours_per_step=1,
            step_hours={State.DISPATCHED: 0.25},  # someone is at the door within 15 minutes
        ),
    )
}


def attribute_problems(category: Category, values: dict[str, Any]) -> list[tuple[str, str]]:
    """Why `values` do not fit the category's attributes (field, message), or nothing."""
    problems = []
    known = {a.name: a for a in category.attributes}
    for name in values:
        if name not in known:
            problems.append((f"attributes.{name}", "not an attribute of this category"))
    for attribute in category.attributes:
        value = values.get(attribute.name)
        if value is None:
            if attribute.required:
                problems.append((f"attributes.{attribute.name}", "required"))
            continue
        if not _fits(attribute, value):
            problems.append((f"attributes.{attribute.name}", f"must be a {attribute.kind}"))
    return problems


def _fits(attribute: Attribute, value: Any) -> bool:
    if attribute.kind is AttributeKind.STRING:
        return isinstance(value, str) and len(value) <= 500
    if attribute.kind is AttributeKind.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if attribute.kind is AttributeKind.DATE:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    if attribute.kind is AttributeKind.CHOICE:
        return value in attribute.choices
    return isinstance(value, list) and all(v in attribute.choices for v in value)
