"""The typed catalogue of event categories (城市部件/事件): who handles each, how urgent,
how long each step may take, and the extra attributes a report must carry."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import msgspec

from auth.roles import Role


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
    hours_per_step: int = 24
    working_hours: bool = False  # count only office hours towards a step's deadline

    def deadline(self, start: dt.datetime) -> dt.datetime:
        from miniapps.grid_events.deadlines import deadline_after

        return deadline_after(start, self.hours_per_step, working_hours=self.working_hours)

    attributes: tuple[Attribute, ...] = ()


CATEGORIES = {
    c.code: c
    for c in (
        Category(
            code="manhole_cover",
            names={"zh-CN": "井盖破损", "en": "Broken manhole cover"},
            handler_role=Role.GRID_WORKER,
            urgent=True,
            hours_per_step=4,
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
            names={"zh-CN": "占道经营", "en": "Street vending"},
            handler_role=Role.GRID_WORKER,
            hours_per_step=24,
        ),
        Category(
            code="dust",
            names={"zh-CN": "工地扬尘", "en": "Construction dust"},
            handler_role=Role.GRID_WORKER,
            hours_per_step=24,
            attributes=(Attribute(name="site", kind=AttributeKind.STRING),),
        ),
        Category(
            code="group_renting",
            working_hours=True,
            names={"zh-CN": "群租房", "en": "Group renting"},
            handler_role=Role.GRID_WORKER,
            hours_per_step=72,
            attributes=(Attribute(name="tenants", kind=AttributeKind.NUMBER),),
        ),
        Category(
            code="elderly_alert",
            names={"zh-CN": "老人求助", "en": "Elderly person alert"},
            handler_role=Role.GRID_WORKER,
            urgent=True,
            auto_dispatch=True,
            hours_per_step=1,
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
