"""What a resident is told about one answer a form refuses, in their language.

jsonschema's own messages repeat the refused value (a whole address, an ID-card number)
and speak only English; these name the expectation instead."""

from __future__ import annotations

from typing import Any

import msgspec
from jsonschema.exceptions import ValidationError

from miniapps.gov_services.document.jsonschemas import shorten

ZH, EN = 0, 1

_TYPES: dict[str, tuple[str, str]] = {
    "string": ("文本", "text"),
    "integer": ("整数", "a whole number"),
    "number": ("数字", "a number"),
    "boolean": ("是或否", "yes or no"),
    "object": ("一组填写项", "a group of answers"),
    "array": ("列表", "a list"),
    "null": ("空值", "empty"),
}
_FORMATS: dict[str, tuple[str, str]] = {
    "date": ("日期(如 2026-01-31)", "a date such as 2026-01-31"),
    "email": ("电子邮箱地址", "an e-mail address"),
}

# Per keyword: (zh-CN, en) templates over `{value}`, the keyword's value in the schema.
_TEMPLATES: dict[str, tuple[str, str]] = {
    "required": ("必填", "is required"),
    "type": ("应为{value}", "must be {value}"),
    "enum": ("须为以下之一:{value}", "must be one of: {value}"),
    "const": ("须为 {value}", "must be {value}"),
    "pattern": ("格式不正确", "is not in the expected form"),
    "format": ("应为{value}", "must be {value}"),
    "minLength": ("至少 {value} 个字", "must have at least {value} characters"),
    "maxLength": ("最多 {value} 个字", "must have at most {value} characters"),
    "minimum": ("不能小于 {value}", "must be at least {value}"),
    "maximum": ("不能大于 {value}", "must be at most {value}"),
    "exclusiveMinimum": ("须大于 {value}", "must be more than {value}"),
    "exclusiveMaximum": ("须小于 {value}", "must be less than {value}"),
    "multipleOf": ("须为 {value} 的倍数", "must be a multiple of {value}"),
    "minItems": ("至少 {value} 项", "must have at least {value} items"),
    "maxItems": ("最多 {value} 项", "must have at most {value} items"),
    "uniqueItems": ("各项不能重复", "must not repeat an item"),
    "additionalProperties": ("含有表单未定义的项", "has answers the form does not ask for"),
    "unevaluatedProperties": ("含有表单未定义的项", "has answers the form does not ask for"),
    "minProperties": ("至少填写 {value} 项", "needs at least {value} answers"),
    "maxProperties": ("最多填写 {value} 项", "takes at most {value} answers"),
}
_OTHERWISE = ("不符合要求", "is not valid")


def describe(error: ValidationError, locale: int) -> str:
    """What is wrong with the answer `error` is about, in `locale` (ZH or EN)."""
    keyword = str(error.validator)
    template = _TEMPLATES.get(keyword)
    if template is None:
        return _OTHERWISE[locale]
    return template[locale].format(value=_shown(keyword, error.validator_value, locale))


def required_message(locale: int) -> str:
    return _TEMPLATES["required"][locale]


def _shown(keyword: str, value: Any, locale: int) -> str:
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        return " / ".join(_TYPES.get(str(n), (str(n), str(n)))[locale] for n in names)
    if keyword == "format":
        return _FORMATS.get(str(value), (str(value), str(value)))[locale]
    if keyword == "enum" and isinstance(value, list):
        return shorten(("、" if locale == ZH else ", ").join(_plain(v) for v in value))
    return shorten(_plain(value))


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


def locale_index(locale: str | None) -> int:
    """EN for an English tag (`en`, `en-GB`), ZH for anything else."""
    return EN if locale and locale.lower().startswith("en") else ZH


__all__ = ["EN", "ZH", "describe", "locale_index", "required_message"]
