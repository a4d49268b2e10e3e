"""The bad inputs of the sweep, derived from each route's signature: path and query parameters
by type, and the JSON body from its msgspec Struct, field by field."""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, HeaderParameter
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

HUGE = 100_000
# httpx refuses a URL component over 65,536 characters, so query and path values stop short.
HUGE_IN_URL = 60_000
BIGINT_PAST = 2**63
INF = "__sweep_inf__"  # JSON cannot say infinity; msgspec reads 1e999 as one

# A string the sweep sends where a pattern is declared: the type cannot say what matches.
PATTERN_EXAMPLES = {
    r"^1[3-9]\d{9}$": "13800000001",
    r"^1[3-9][0-9]{9}$": "13800000001",  # a phone as ASCII digits only
    r"^\d{6}$": "123456",
    r"^[0-9]{6}$": "260417",
    r"^[0-9]{8,30}$": "6217000010000000003",
    r"^20[0-9]{2}-(0[1-9]|1[0-2])$": "2026-12",
    r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}$": "zz/gx/fengyang/c03/g07",
    r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}(?!\n)$": "zz/gx/fengyang/c03/g07",
    r"^\d{17}[\dX]$": "11010119900307803X",
    r"^[A-Za-z0-9_:.\-]+$": "fcm-token-sweep-123456",
    r"^[\x20-\x7e]*$": "5.1.0",
    r"^(zh-CN|en)$": "en",
    r"^([01]\d|2[0-3]):[0-5]\d$": "22:00",
    r"^[a-z][a-z0-9_.]{0,31}$": "dust",
    r"^[A-Za-z0-9_.:-]{3,64}$": "sweep-sensor-1",
    r"^[A-Za-z0-9_-]{44}$": "A" * 43 + "=",
    r"\S": "sweep",
    r"^\S{1,32}$": "sweep",
    r"^[a-z][a-z0-9_]{0,63}$": "photo",  # a name in an item's document
    r"^[1-9][0-9]{0,18}-[0-9a-f]{24}$": "1-" + "0" * 24,  # an elder's family invite
    r"^([01][0-9]|2[0-3]):[0-5][0-9]$": "08:00",  # a daily check-in window's bound
    r"^[0-9a-f]{64}$": "0" * 64,  # a SHA-256, as a mediation agreement's text_hash
    r"^[^\r\n]*\S[^\r\n]*$": "判决书",  # a title on one line
    r"^[^\r\n]*\S[^\r\n]*(?!\n)$": "郑州地铁",
    r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?!\n)$": "91350100M000100Y43",
    r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}(?!\n)$": "dev@metro.example.com",
    r"^[a-z][a-z0-9-]{2,31}(?!\n)$": "metro-card",
    r"^[a-z][a-z0-9_]{0,23}(?!\n)$": "topped_up",  # a notification template
    r"^[a-z][a-z0-9_]{0,31}(?!\n)$": "amount",  # a template's placeholder
    r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f\u2028\u2029]+(?!\n)$": "50",  # a template's value
    r"^yx[0-9a-f]{16}(?!\n)$": "yx00000000000000a1",  # an open-platform app's id
    r"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?!\n)$": "1.0.0",
    r"^[a-z0-9][a-z0-9-]{0,31}/[a-z0-9][a-z0-9-]{0,31}(?!\n)$": "zz/gx",  # a district
    r"^[0-9a-f]{32}(?!\n)$": "0" * 32,  # a user's openid for an app
}
# Values that make a field plausible where its type alone cannot (an org path, a category),
# so that the one bad field of a case is what the route has to refuse.
NAME_EXAMPLES: dict[str, Any] = {
    "under": "zz/gx/fengyang/c03",
    "parent": "zz/gx/fengyang",
    "district": "zz/gx",
    "community": "zz/gx/fengyang/c03",
    "grid_path": "zz/gx/fengyang/c03/g07",
    "place_path": "zz/gx/fengyang/c03/g07",
    "org_path": "zz/gx/fengyang/c03/g07",
    "scope_path": "zz/gx/fengyang/c03/g07",
    "category": "dust",
    "service_code": "dust",
    "app_id": "grid_events",
    "name": "sweep",
    "phone": "13800000001",
    "year": 2026,
}
AWARE = "2026-01-01T08:00:00+08:00"
# The types a JSON array is read into: a list, a set, a tuple of any length.
LISTS = (
    msgspec.inspect.ListType
    | msgspec.inspect.SetType
    | msgspec.inspect.FrozenSetType
    | msgspec.inspect.VarTupleType
)


class SweepCannotBuild(Exception):
    """A parameter or body type the sweep does not know how to fill."""


@dataclass(frozen=True)
class Case:
    """One bad request; `refused` means it must be a 4xx, else only never a 5xx."""

    label: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    content_type: str | None = "application/json"
    refused: bool = True
    # What a 400 answer must name in its errors[]: a parameter by its name in the request, a
    # place in the body by its path (`items[0].phone`), `$` for the body as a whole.
    culprit: str | None = None


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: HTTPRoute
    handler: HTTPRouteHandler

    @property
    def name(self) -> str:
        return f"{self.method} {self.route.path}"


def endpoints(routes: list[Any]) -> Iterator[Endpoint]:
    for route in routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                yield Endpoint(method, route, handler)


def reads_body_by_hand(handler: HTTPRouteHandler) -> bool:
    """Whether the handler reads the raw body (bytes or a form) instead of a typed `data`."""
    source = inspect.getsource(handler.fn)
    return re.search(r"\.(body|form|stream)\(\)", source) is not None


# ---- values by type -------------------------------------------------------------------------


def sample(t: msgspec.inspect.Type, name: str = "") -> Any:
    """A plausible valid value of a msgspec type."""
    if isinstance(t, msgspec.inspect.Metadata):
        return sample(t.type, name)
    if isinstance(t, msgspec.inspect.StrType):
        return _sample_str(t, name)
    if isinstance(t, msgspec.inspect.BoolType):
        return True
    if isinstance(t, msgspec.inspect.IntType):
        return max(1, t.ge or 1, (t.gt or 0) + 1)
    if isinstance(t, msgspec.inspect.FloatType):
        return 34.8 if t.ge is None or t.ge <= 34.8 else t.ge
    if isinstance(t, msgspec.inspect.EnumType):
        return next(iter(t.cls)).value
    if isinstance(t, msgspec.inspect.LiteralType):
        return t.values[0]
    if isinstance(t, msgspec.inspect.DateTimeType):
        return AWARE
    if isinstance(t, msgspec.inspect.DateType):
        return "2026-01-01"
    if isinstance(t, msgspec.inspect.UnionType):
        return sample(next(u for u in t.types if not isinstance(u, msgspec.inspect.NoneType)), name)
    if isinstance(t, msgspec.inspect.ListType | msgspec.inspect.VarTupleType):
        # As many items as the list must have (a bundle has two members at least).
        return [sample(t.item_type, name)] * max(1, t.min_length or 0)
    if isinstance(t, msgspec.inspect.SetType | msgspec.inspect.FrozenSetType):
        return [sample(t.item_type, name)]
    if isinstance(t, msgspec.inspect.DictType):
        return {}
    if isinstance(t, msgspec.inspect.StructType):
        return {f.encode_name: sample(f.type, f.name) for f in t.fields}
    if isinstance(t, msgspec.inspect.AnyType):
        return "sweep"
    raise SweepCannotBuild(f"no sample for {t!r} ({name})")


def _sample_str(t: msgspec.inspect.StrType, name: str) -> str:
    if t.pattern is not None:
        if t.pattern not in PATTERN_EXAMPLES:
            raise SweepCannotBuild(f"add an example for pattern {t.pattern!r} ({name})")
        # Long enough for the field, where the pattern allows it (`\S` does; a phone's
        # does not, and its example is of its length already).
        example = PATTERN_EXAMPLES[t.pattern]
        padded = example.ljust(t.min_length or 0, "x")
        return padded if re.search(t.pattern, padded) else example
    value = str(NAME_EXAMPLES.get(name, "sweep"))
    return value.ljust(t.min_length or 0, "x")


def _leaf_mutations(t: msgspec.inspect.Type) -> Iterator[tuple[str, Any]]:
    """(label, bad value) for one field of a type."""
    if isinstance(t, msgspec.inspect.Metadata):
        yield from _leaf_mutations(t.type)
    elif isinstance(t, msgspec.inspect.UnionType):
        for member in t.types:
            if not isinstance(member, msgspec.inspect.NoneType):
                yield from _leaf_mutations(member)
    elif isinstance(t, msgspec.inspect.StrType):
        yield "string of 100000 characters", "x" * HUGE
        yield "a NUL character", "a\x00b"
        yield "a number for a string", 12345
    elif isinstance(t, msgspec.inspect.BoolType):
        yield "a string for a boolean", "yes"
    elif isinstance(t, msgspec.inspect.IntType):
        yield "integer 2^63", BIGINT_PAST
        yield "integer -2^63-1", -BIGINT_PAST - 1
        yield "a string for an integer", "1"
    elif isinstance(t, msgspec.inspect.FloatType):
        yield "infinity", INF
        yield "a string for a number", "nan"
    elif isinstance(t, msgspec.inspect.EnumType | msgspec.inspect.LiteralType):
        yield "a value outside the enum", "no-such-value"
    elif isinstance(t, msgspec.inspect.DateTimeType):
        yield from (
            ("a time without zone", "2026-01-01T08:00:00"),
            ("a date only, 0001-01-01", "0001-01-01"),
            ("a time before year 1 in UTC", "0001-01-01T00:00:00+08:00"),
        )
    elif isinstance(t, msgspec.inspect.DateType):
        yield from (
            ("a day no month has", "2026-02-30"),
            ("a time for a date", AWARE),
            ("a date of year 0", "0000-01-01"),
            ("a number for a date", 20260101),
        )
    elif isinstance(t, msgspec.inspect.DictType):
        yield "a list for an object", []
        yield "a value of 100000 characters", {"sweep": "x" * HUGE}
    elif isinstance(t, LISTS):
        yield "an object for a list", {}
    elif isinstance(t, msgspec.inspect.StructType):
        yield "a list for an object", []


def body_mutations(
    t: msgspec.inspect.Type, at: tuple[str | int, ...] = ()
) -> Iterator[tuple[str, tuple[str | int, ...], Any]]:
    """(label, where, bad value) for every field of a body type, nested ones included."""
    if at:
        for label, value in _leaf_mutations(t):
            yield label, at, value
    yield from _inner_mutations(t, at)


def _inner_mutations(
    t: msgspec.inspect.Type, at: tuple[str | int, ...]
) -> Iterator[tuple[str, tuple[str | int, ...], Any]]:
    if isinstance(t, msgspec.inspect.Metadata):
        yield from _inner_mutations(t.type, at)
    elif isinstance(t, msgspec.inspect.UnionType):
        for member in t.types:
            yield from _inner_mutations(member, at)
    elif isinstance(t, msgspec.inspect.StructType):
        for f in t.fields:
            yield from body_mutations(f.type, (*at, f.encode_name))
    elif isinstance(t, LISTS):
        yield from body_mutations(t.item_type, (*at, 0))


def with_value(body: Any, at: tuple[str | int, ...], value: Any) -> Any:
    """A copy of `body` with the value at `at` replaced."""
    if not at:
        return value
    head, rest = at[0], at[1:]
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) else [None]
        items[head] = with_value(items[head], rest, value)
        return items
    copy = dict(body) if isinstance(body, dict) else {}
    copy[head] = with_value(copy.get(head), rest, value)
    return copy


def encode(body: Any) -> bytes:
    raw = msgspec.json.encode(body)
    return raw.replace(f'"{INF}"'.encode(), b"1e999")


# ---- the cases of one endpoint --------------------------------------------------------------


def body_type(handler: HTTPRouteHandler) -> msgspec.inspect.Type | None:
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    if not isinstance(data.kwarg_definition, BodyKwarg | type(None)):
        raise SweepCannotBuild(f"body kwarg {data.kwarg_definition!r}")
    media_type = getattr(data.kwarg_definition, "media_type", RequestEncodingType.JSON)
    if media_type != RequestEncodingType.JSON:
        raise SweepCannotBuild(f"a {media_type} body")
    return msgspec.inspect.type_info(data.annotation)


_RESERVED = {"request", "scope", "state", "headers", "cookies", "query", "body", "socket"}


def parameters(endpoint: Endpoint) -> tuple[dict[str, type], dict[str, FieldDefinition]]:
    """(path parameter types, query parameters) of the endpoint."""
    handler = endpoint.handler
    path = {name: d.type for name, d in endpoint.route.path_parameters.items()}
    dependencies = set(handler.resolve_dependencies())
    query: dict[str, FieldDefinition] = {}
    for name, definition in handler.parsed_fn_signature.parameters.items():
        if name in _RESERVED or name == "data" or name in dependencies or name in path:
            continue
        kwarg = definition.kwarg_definition
        if isinstance(kwarg, HeaderParameter) and not definition.is_required:
            continue  # an optional header (If-Match) the sweep leaves out: it is no query
        if getattr(kwarg, "header", None) or getattr(kwarg, "cookie", None):
            raise SweepCannotBuild(f"header or cookie parameter {name}")
        query[getattr(kwarg, "query", None) or getattr(kwarg, "name", None) or name] = definition
    return path, query


def _plain(definition: FieldDefinition) -> Any:
    """The parameter's type without Optional."""
    if definition.is_optional:
        return next(a for a in definition.args if a is not type(None))
    return definition.annotation


def query_sample(name: str, kind: Any) -> str:
    if name in NAME_EXAMPLES:
        return str(NAME_EXAMPLES[name])
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return str(next(iter(kind)).value)
    if kind is dt.datetime:
        return AWARE
    if kind is bool:
        return "true"
    if kind is int:
        return "1"
    if kind is float:
        return "1.5"
    if kind is str:
        return "sweep"
    raise SweepCannotBuild(f"query parameter {name}: {kind!r}")


def query_mutations(name: str, kind: Any) -> Iterator[tuple[str, str, bool]]:
    """(label, bad value, must be refused) for one query parameter."""
    if name == "limit":
        for value in ("0", "-1", "100000", "x"):
            yield f"limit={value}", value, True
        return
    if name == "cursor":
        yield "a cursor of 60000 characters", "A" * HUGE_IN_URL, True
        yield "a cursor of 201 characters", "A" * 201, True
        yield "a garbage cursor", "!!not-base64!!", True
        yield "a cursor past bigint", "aWQ6OTk5OTk5OTk5OTk5OTk5OTk5OTk5", True
        yield "a cursor of another kind", "eDox", True
        return
    if kind is dt.datetime:
        yield "a time without zone", "2026-01-01T08:00:00", True
        yield "a date only, 0001-01-01", "0001-01-01", True
        yield "a time before year 1 in UTC", "0001-01-01T00:00:00+08:00", True
        yield "a time past year 9999 in UTC", "9999-12-31T23:59:59-08:00", True
        yield "not a time", "yesterday", True
    elif kind is int:
        yield "integer 2^63", str(BIGINT_PAST), True
        yield "integer 10^30", str(10**30), True
        yield "not an integer", "x", True
    elif kind is float:
        for value in ("nan", "inf", "-inf"):
            yield value, value, True
    elif kind is bool:
        yield "not a boolean", "maybe", True
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        yield "a value outside the enum", "no-such-value", True
    elif kind is str:
        yield "a string of 60000 characters", "x" * HUGE_IN_URL, False
        yield "a NUL character", "a\x00b", True
    else:
        raise SweepCannotBuild(f"query parameter {name}: {kind!r}")


def path_sample(name: str, kind: type, pattern: str | None = None) -> str:
    if pattern in PATTERN_EXAMPLES:
        return PATTERN_EXAMPLES[pattern]
    if name in NAME_EXAMPLES:
        return str(NAME_EXAMPLES[name])
    if kind is int:
        return "1"
    return "sweep"


def _path_pattern(endpoint: Endpoint, name: str) -> str | None:
    """The pattern a path parameter declares (`PathParameter(pattern=...)`), if any."""
    definition = endpoint.handler.parsed_fn_signature.parameters.get(name)
    pattern = getattr(definition.kwarg_definition, "pattern", None) if definition else None
    return pattern if isinstance(pattern, str) else None


def path_mutations(kind: type) -> Iterator[tuple[str, str, bool]]:
    if kind is int:
        for value in (str(BIGINT_PAST), str(10**30), "0", "-1"):
            yield f"id {value}", value, True
    else:
        yield "a segment of 60000 characters", "x" * HUGE_IN_URL, False
        yield "non-ASCII", "社区", False
        yield "a NUL character", "a%00b", True
        yield "many segments", "/".join(["a"] * 50), False


def build_path(route: HTTPRoute, values: dict[str, str]) -> str:
    path = route.path
    for name, definition in route.path_parameters.items():
        path = path.replace("{" + definition.full + "}", values[name])
    return path


def cases(endpoint: Endpoint, *, raw_body: bool, body_limit: int) -> Iterator[Case]:
    """Every bad request of the sweep for one endpoint."""
    path_types, query = parameters(endpoint)
    good_path = {
        name: path_sample(name, kind, _path_pattern(endpoint, name))
        for name, kind in path_types.items()
    }
    good_query = {name: query_sample(name, _plain(d)) for name, d in query.items() if d.is_required}
    body = body_type(endpoint.handler)
    good_body = encode(sample(body)) if body is not None else None
    here = build_path(endpoint.route, good_path)

    for name, kind in path_types.items():
        for label, value, refused in path_mutations(kind):
            at = build_path(endpoint.route, {**good_path, name: value})
            culprit = "path" if "%00" in value else name
            yield Case(
                f"path {name}: {label}", at, good_query, good_body, refused=refused, culprit=culprit
            )
    for name, definition in query.items():
        for label, value, refused in query_mutations(name, _plain(definition)):
            params = {**good_query, name: value}
            yield Case(
                f"query {name}: {label}", here, params, good_body, refused=refused, culprit=name
            )
        if definition.is_required:
            params = {key: value for key, value in good_query.items() if key != name}
            yield Case(f"query {name}: missing", here, params, good_body, culprit=name)
    if body is not None or raw_body:
        # A route reading its body by hand (a form, an image) may not read it as JSON at all.
        yield from _garbage_bodies(here, good_query, culprit=None if raw_body else "$")
    if body is not None:
        assert good_body is not None
        yield Case("body as text/plain", here, good_query, good_body, "text/plain")
        yield Case("body without Content-Type", here, good_query, good_body, None)
        yield Case("a body over the limit", here, good_query, b" " * (body_limit + 1))
        for label, value in (("a list", []), ("a string", "x"), ("null", None), ("a number", 1)):
            yield Case(f"body is {label}", here, good_query, encode(value), culprit="$")
        for label, at, value in body_mutations(body):
            where = json_path(at)
            content = encode(with_value(sample(body), at, value))
            # A number JSON cannot hold stops the decoder, which knows a byte, not a field.
            culprit = "$" if value == INF else where
            yield Case(f"body {where}: {label}", here, good_query, content, culprit=culprit)


def json_path(at: tuple[str | int, ...]) -> str:
    """A place in a body as problems name it: `items[0].phone`."""
    path = ""
    for step in at:
        path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else step)
    return path or "$"


def _garbage_bodies(path: str, query: dict[str, str], culprit: str | None) -> Iterator[Case]:
    for label, content in (
        ("invalid UTF-8 in JSON", b'{"x": "\xff"}'),
        ("JSON nested 100000 deep", b"[" * HUGE),
        ("JSON objects nested 5000 deep", b'{"a":' * 5000 + b"1" + b"}" * 5000),
        ("truncated JSON", b'{"x": '),
    ):
        yield Case(label, path, query, content, culprit=culprit)
