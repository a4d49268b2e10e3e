"""The form of an item document: a JSON Schema 2020-12 for the answers, and how the app
shows it (pages, widgets, hints) and which fields it shows when (JSON Forms' rule model).

A *field* is a top-level property of the form's schema: pages, labels, widgets, hints, rules
and prefill all name fields, and a rule hides or shows a whole field."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import msgspec

# The names a document gives its parts (fields, pages, steps, materials, rules): ASCII, so
# that each is its own JSON pointer segment and a stable key in stored answers.
Name = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
# A JSON Forms scope: a JSON pointer into the form's schema, `#/properties/a/properties/b`,
# which names the answer at `/a/b`.
Scope = Annotated[str, msgspec.Meta(pattern=r"^#(/properties/[^/]+)+$", max_length=500)]
JsonSchema = dict[str, Any]


class Texts(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text in both of the app's languages."""

    zh_cn: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] = msgspec.field(name="zh-CN")
    en: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]

    def pick(self, locale: str | None) -> str:
        """The text in `locale` (a BCP 47 tag such as `en-GB`), Chinese unless it is English."""
        return self.en if locale and locale.lower().startswith("en") else self.zh_cn


class Widget(enum.StrEnum):
    """How the app renders a field, beyond what its schema type says."""

    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    MONEY = "money"  # an integer amount of fen, shown in yuan
    DATE = "date"
    SELECT = "select"
    RADIO = "radio"
    CHECKBOX = "checkbox"
    SWITCH = "switch"
    ID_CARD = "id_card"  # 居民身份证号码, with its own keyboard
    PHONE = "phone"
    ADDRESS = "address"
    GROUP = "group"  # an object field, its properties shown together


class Effect(enum.StrEnum):
    SHOW = "SHOW"
    HIDE = "HIDE"


class Condition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Holds when the answer at `scope` is given and matches `schema`; an answer not given
    never matches, so a SHOW rule hides its field until the answer it waits for is given."""

    scope: Scope
    schema: JsonSchema


class Rule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """SHOW: the field is shown only while the condition holds; HIDE: it is hidden while it
    holds. A hidden field is neither required nor stored, and a rule whose condition reads
    a hidden field sees no answer there."""

    field: Name
    effect: Effect
    condition: Condition


class Page(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One screen of the form: its fields in the order shown."""

    id: Name
    title: Texts
    fields: Annotated[tuple[Name, ...], msgspec.Meta(min_length=1, max_length=200)]


class FormUi(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the form is shown: every field on exactly one page."""

    pages: Annotated[tuple[Page, ...], msgspec.Meta(min_length=1, max_length=50)]
    labels: dict[Name, Texts] = {}
    widgets: dict[Name, Widget] = {}
    hints: dict[Name, Texts] = {}
    rules: Annotated[tuple[Rule, ...], msgspec.Meta(max_length=200)] = ()


class Form(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a resident fills in: `schema` is a JSON Schema 2020-12 of type object whose
    properties are the fields; it may refer only inside itself (`#/$defs/...`)."""

    schema: JsonSchema
    ui: FormUi


__all__ = [
    "Condition",
    "Effect",
    "Form",
    "FormUi",
    "JsonSchema",
    "Name",
    "Page",
    "Rule",
    "Scope",
    "Texts",
    "Widget",
]
