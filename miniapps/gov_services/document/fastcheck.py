"""A fast yes/no for the JSON Schemas forms are made of, to spare a valid submit jsonschema's
walk (about 8 µs per property; a form of ten fields cost 75 µs of each submit).

It compiles a schema to nested closures when every keyword in it is one it knows, with
jsonschema's own meaning (Draft 2020-12: an integer may be 1.0, true is no number, a keyword
about strings ignores other types). For any other schema it gives None, and so does every
answer it refuses: jsonschema then finds the refusals and names them. A test holds the two
to the same verdict on the demo catalogue's forms and answers fuzzed around them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jsonschema import FormatChecker

Check = Callable[[Any], bool]

_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}
_ANNOTATIONS = frozenset({"$schema", "$comment", "title", "description", "default", "examples"})


class _Unsupported(Exception):
    """A keyword, or a value of one, that this compiler does not mean exactly as jsonschema."""


def compile_check(schema: Mapping[str, Any], formats: FormatChecker) -> Check | None:
    """A function telling whether a value is valid under `schema`, or None if the schema
    uses anything this module does not know."""
    try:
        return _compile(schema, formats)
    except _Unsupported:
        return None


def _compile(schema: Any, formats: FormatChecker) -> Check:
    if not isinstance(schema, Mapping):
        raise _Unsupported
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "additionalProperties":
            checks.append(_additional(value, schema.get("properties", {}), formats))
            continue
        make = _KEYWORDS.get(keyword)
        if make is None:
            raise _Unsupported
        checks.append(make(value, formats))
    return _every(checks)


def _every(checks: list[Check]) -> Check:
    # A form checks a few hundred keywords per submit: each frame spared counts.
    if not checks:
        return lambda _: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)

    def every(value: Any) -> bool:
        # A loop, not all() over a generator: a generator's frame per call costs more.
        for check in checks:  # noqa: SIM110
            if not check(value):
                return False
        return True

    return every


def _type(value: Any, _: FormatChecker) -> Check:
    names = value if isinstance(value, list) else [value]
    if not names or any(n not in _TYPES for n in names):
        raise _Unsupported
    tests = [_TYPES[n] for n in names]
    if len(tests) == 1:
        return tests[0]
    return lambda v: any(test(v) for test in tests)


def _enum(value: Any, _: FormatChecker) -> Check:
    # Strings only: jsonschema's equality of other values (1 == 1.0, true ≠ 1) stays its own.
    if not isinstance(value, list) or not all(isinstance(e, str) for e in value):
        raise _Unsupported
    allowed = frozenset(value)
    return lambda v: isinstance(v, str) and v in allowed


def _const(value: Any, _: FormatChecker) -> Check:
    if isinstance(value, bool):
        return lambda v: v is value
    if isinstance(value, str):
        return lambda v: isinstance(v, str) and v == value
    raise _Unsupported


def _strings(test: Callable[[str], bool]) -> Check:
    return lambda v: not isinstance(v, str) or test(v)


def _numbers(test: Callable[[float], bool]) -> Check:
    return lambda v: isinstance(v, bool) or not isinstance(v, int | float) or test(v)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Unsupported
    return value


def _bound(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Unsupported
    return value


def _pattern(value: Any, _: FormatChecker) -> Check:
    if not isinstance(value, str):
        raise _Unsupported
    try:
        search = re.compile(value).search
    except re.error as err:
        raise _Unsupported from err
    return _strings(lambda s: search(s) is not None)


def _format(value: Any, formats: FormatChecker) -> Check:
    return lambda v: formats.conforms(v, value)


def _properties(value: Any, formats: FormatChecker) -> Check:
    if not isinstance(value, Mapping):
        raise _Unsupported
    inner = [(name, _compile(schema, formats)) for name, schema in value.items()]

    def properties(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for name, check in inner:  # noqa: SIM110 - as in `_every`
            if name in instance and not check(instance[name]):
                return False
        return True

    return properties


def _additional(value: Any, properties: Any, formats: FormatChecker) -> Check:
    known = frozenset(properties) if isinstance(properties, Mapping) else frozenset()
    if value is False:
        return lambda v: not isinstance(v, dict) or known.issuperset(v)
    check = _compile(value, formats)
    return lambda v: (
        not isinstance(v, dict) or all(check(item) for name, item in v.items() if name not in known)
    )


def _required(value: Any, _: FormatChecker) -> Check:
    if not isinstance(value, list):
        raise _Unsupported
    names = frozenset(value)
    return lambda v: not isinstance(v, dict) or v.keys() >= names


def _items(value: Any, formats: FormatChecker) -> Check:
    check = _compile(value, formats)
    return lambda v: not isinstance(v, list) or all(check(item) for item in v)


def _all_of(value: Any, formats: FormatChecker) -> Check:
    return _every(_each(value, formats))


def _any_of(value: Any, formats: FormatChecker) -> Check:
    checks = _each(value, formats)
    return lambda v: any(check(v) for check in checks)


def _one_of(value: Any, formats: FormatChecker) -> Check:
    checks = _each(value, formats)
    return lambda v: sum(1 for check in checks if check(v)) == 1


def _not(value: Any, formats: FormatChecker) -> Check:
    check = _compile(value, formats)
    return lambda v: not check(v)


def _each(value: Any, formats: FormatChecker) -> list[Check]:
    if not isinstance(value, list) or not value:
        raise _Unsupported
    return [_compile(schema, formats) for schema in value]


def _min_length(value: Any, _: FormatChecker) -> Check:
    least = _count(value)
    return _strings(lambda s: len(s) >= least)


def _max_length(value: Any, _: FormatChecker) -> Check:
    most = _count(value)
    return _strings(lambda s: len(s) <= most)


def _min_items(value: Any, _: FormatChecker) -> Check:
    least = _count(value)
    return lambda v: not isinstance(v, list) or len(v) >= least


def _max_items(value: Any, _: FormatChecker) -> Check:
    most = _count(value)
    return lambda v: not isinstance(v, list) or len(v) <= most


def _minimum(value: Any, _: FormatChecker) -> Check:
    bound = _bound(value)
    return _numbers(lambda x: x >= bound)


def _maximum(value: Any, _: FormatChecker) -> Check:
    bound = _bound(value)
    return _numbers(lambda x: x <= bound)


def _exclusive_minimum(value: Any, _: FormatChecker) -> Check:
    bound = _bound(value)
    return _numbers(lambda x: x > bound)


def _exclusive_maximum(value: Any, _: FormatChecker) -> Check:
    bound = _bound(value)
    return _numbers(lambda x: x < bound)


_KEYWORDS: dict[str, Callable[[Any, FormatChecker], Check]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "format": _format,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "minItems": _min_items,
    "maxItems": _max_items,
    "properties": _properties,
    "required": _required,
    "items": _items,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
}

__all__ = ["Check", "compile_check"]
