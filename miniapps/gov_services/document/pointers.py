"""JSON pointers (RFC 6901), by which every problem names its place in answers or in a
document, and the equality of JSON values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# What an answer not given reads as: distinct from a given null.
ABSENT: Any = object()


def pointer(base: str, *segments: str | int) -> str:
    """`base` followed by each segment, escaped: `pointer("/answers", "a/b", 0)` is
    `/answers/a~1b/0`."""
    return base + "".join("/" + _escape(segment) for segment in segments)


def pointer_of(base: str, path: Iterable[str | int]) -> str:
    return pointer(base, *path)


def scope_path(scope: str) -> tuple[str, ...]:
    """The answer a JSON Forms scope names: `#/properties/a/properties/b` → ("a", "b")."""
    segments = [_unescape(s) for s in scope.removeprefix("#/").split("/")]
    return tuple(segments[1::2])


def answer_at(answers: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The answer at `path`, or ABSENT where it or an object above it is not given."""
    value: Any = answers
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return ABSENT
        value = value[key]
    return value


def same_value(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal as JSON Schema's `const` compares them: true is
    not 1 (Python holds them equal), while 1 and 1.0 are one number."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _escape(segment: str | int) -> str:
    return str(segment).replace("~", "~0").replace("/", "~1")


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


__all__ = ["ABSENT", "answer_at", "pointer", "pointer_of", "same_value", "scope_path"]
