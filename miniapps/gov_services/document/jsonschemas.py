"""The JSON Schemas inside a document (the form, rule conditions, material and eligibility
predicates): how they are compiled, checked and walked.

Every schema is compiled against an empty registry, so a `$ref` can only point inside its
own schema: a document that names a URL is refused at publish, and is never fetched."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry

from backend.sdk import FieldError
from miniapps.gov_services.document.fastcheck import compile_check
from miniapps.gov_services.document.form import JsonSchema
from miniapps.gov_services.document.pointers import pointer, pointer_of

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_NO_REMOTE: Registry[Any] = Registry()
# The formats a form may ask for that can be checked without more packages; other formats
# are annotations only, as JSON Schema 2020-12 allows.
_FORMATS = FormatChecker(formats=("date", "email"))

# Where a schema holds schemas: in a keyword's value, each value of a keyword's object, or
# each item of a keyword's array. Any other keyword holds data (`const`, `enum`, ...).
_ONE = frozenset(
    {
        "not",
        "if",
        "then",
        "else",
        "items",
        "contains",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "contentSchema",
    }
)
_BY_NAME = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_BY_INDEX = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
# Keywords that would make a schema depend on others or on where it was loaded from.
_NOT_SELF_CONTAINED = frozenset({"$id", "$anchor", "$dynamicRef", "$dynamicAnchor"})
_OPTIONAL_KEYWORDS = frozenset({"required", "dependentRequired"})
_MESSAGE_LIMIT = 200


class CompiledSchema:
    """A schema ready to check values: dates and e-mail addresses are checked, and no
    reference outside the schema resolves."""

    __slots__ = ("_fast", "_validator")

    def __init__(self, schema: JsonSchema) -> None:
        self._validator = Draft202012Validator(schema, registry=_NO_REMOTE, format_checker=_FORMATS)
        self._fast = compile_check(schema, _FORMATS)

    def is_valid(self, value: Any) -> bool:
        if self._fast is not None:
            return self._fast(value)
        return bool(self._validator.is_valid(value))

    def errors(self, value: Any) -> list[ValidationError]:
        """Every refusal of `value`; none, quickly, for a valid value of a schema
        `fastcheck` knows."""
        if self._fast is not None and self._fast(value):
            return []
        return list(self._validator.iter_errors(value))


def compile_schema(schema: JsonSchema) -> CompiledSchema:
    return CompiledSchema(schema)


def subschemas(
    schema: JsonSchema, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], JsonSchema]]:
    """`schema` and every schema inside it, each with its path from `schema`."""
    yield path, schema
    for keyword, value in schema.items():
        if keyword in _ONE and isinstance(value, dict):
            yield from subschemas(value, (*path, keyword))
        elif keyword in _BY_NAME and isinstance(value, dict):
            for name, inner in value.items():
                if isinstance(inner, dict):
                    yield from subschemas(inner, (*path, keyword, name))
        elif keyword in _BY_INDEX and isinstance(value, list):
            for index, inner in enumerate(value):
                if isinstance(inner, dict):
                    yield from subschemas(inner, (*path, keyword, index))


def without_required(schema: JsonSchema) -> JsonSchema:
    """`schema` with `required` and `dependentRequired` dropped at every depth: what a
    draft is held to, every answer it does give checked, none demanded."""
    kept: JsonSchema = {}
    for keyword, value in schema.items():
        if keyword in _OPTIONAL_KEYWORDS:
            continue
        if keyword in _ONE and isinstance(value, dict):
            value = without_required(value)
        elif keyword in _BY_NAME and isinstance(value, dict):
            value = {k: without_required(v) if isinstance(v, dict) else v for k, v in value.items()}
        elif keyword in _BY_INDEX and isinstance(value, list):
            value = [without_required(v) if isinstance(v, dict) else v for v in value]
        kept[keyword] = value
    return kept


def schema_problems(schema: JsonSchema, *, at: str) -> list[FieldError]:
    """Every reason `schema` (found at pointer `at` of a document) is not a valid,
    self-contained JSON Schema 2020-12."""
    found = [
        FieldError(
            field=pointer_of(at, error.absolute_path),
            message=f"not a valid JSON Schema 2020-12: {shorten(error.message)}",
        )
        for error in _meta_validator().iter_errors(schema)
    ]
    if "$schema" in schema and schema["$schema"] != DIALECT:
        found.append(FieldError(field=pointer(at, "$schema"), message=f"must be {DIALECT}"))
    for path, inner in subschemas(schema):
        found.extend(_reference_problems(schema, inner, at=pointer_of(at, path)))
        found.extend(_pattern_problems(inner, at=pointer_of(at, path)))
    return found


def shorten(text: str) -> str:
    """A validator's message cut to a readable length: some repeat a whole instance."""
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _reference_problems(root: JsonSchema, schema: JsonSchema, *, at: str) -> list[FieldError]:
    found = [
        FieldError(field=pointer(at, keyword), message="not allowed: a form is self-contained")
        for keyword in _NOT_SELF_CONTAINED.intersection(schema)
    ]
    reference = schema.get("$ref")
    if isinstance(reference, str) and resolve_local(root, reference) is None:
        found.append(
            FieldError(
                field=pointer(at, "$ref"),
                message="must point inside this schema (#/$defs/...), at something there",
            )
        )
    return found


def _pattern_problems(schema: JsonSchema, *, at: str) -> list[FieldError]:
    """A pattern Python cannot compile would fail each answer checked against it; the
    meta-schema leaves `format: regex` unchecked."""
    patterns = [(pointer(at, "pattern"), schema.get("pattern"))]
    named = schema.get("patternProperties")
    if isinstance(named, dict):
        patterns += [(pointer(at, "patternProperties", key), key) for key in named]
    found = []
    for where, pattern in patterns:
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as err:
                found.append(FieldError(field=where, message=f"not a regular expression: {err}"))
    return found


def resolve_local(root: JsonSchema, reference: str) -> JsonSchema | bool | None:
    """The schema a `$ref` inside `root` points at, or None if it points elsewhere or at
    nothing."""
    if reference == "#":
        return root
    if not reference.startswith("#/"):
        return None
    target: Any = root
    for raw in reference[2:].split("/"):
        segment = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and segment in target:
            target = target[segment]
        elif isinstance(target, list) and segment.isdigit() and int(segment) < len(target):
            target = target[int(segment)]
        else:
            return None
    return target if isinstance(target, dict | bool) else None


@functools.cache
def _meta_validator() -> Draft202012Validator:
    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


__all__ = [
    "DIALECT",
    "CompiledSchema",
    "compile_schema",
    "resolve_local",
    "schema_problems",
    "shorten",
    "subschemas",
    "without_required",
]
