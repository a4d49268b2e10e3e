"""Notification templates: a title and body per locale, filled from the notification's data."""

from __future__ import annotations

import string
from collections.abc import Mapping

import msgspec

_FIELDS = string.Formatter()


class Template(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    category: str
    titles: dict[str, str]
    bodies: dict[str, str]


def render(texts: Mapping[str, str], locale: str, data: Mapping[str, str]) -> str:
    return (texts.get(locale) or texts["zh-CN"]).format_map(data)


def missing_fields(template: Template, data: Mapping[str, str]) -> set[str]:
    """Placeholders of the template that `data` does not fill."""
    names = {
        field
        for text in (*template.titles.values(), *template.bodies.values())
        for _, field, _, _ in _FIELDS.parse(text)
        if field
    }
    return names - set(data)
