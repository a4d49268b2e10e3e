"""Reading a document from JSON: its shape, with every departure listed at once."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import msgspec
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from backend.sdk import BoundedCache, FieldError, Unprocessable
from miniapps.gov_services.document.canonical import document_json_schema, document_sha256
from miniapps.gov_services.document.jsonschemas import shorten
from miniapps.gov_services.document.model import ItemDocument
from miniapps.gov_services.document.pointers import pointer, pointer_of
from miniapps.gov_services.errors import GovServicesCode

# Far more than the versions in use at once (see `compiled`).
_PUBLISHED: BoundedCache[str, ItemDocument] = BoundedCache(512, lru=True)
# A place as msgspec names it: `$.steps[0].role`.
_MSGSPEC_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def parse_document(raw: Mapping[str, Any] | str | bytes) -> ItemDocument:
    """The document `raw` describes (JSON values, or JSON text as a JSON column reads);
    a 422 (`document_invalid`) listing each place where its shape is wrong. What only
    publishing checks is `problems_in`'s."""
    doc, problems = read_document(raw)
    if doc is None:
        raise Unprocessable(GovServicesCode.DOCUMENT_INVALID, errors=problems)
    return doc


def published_document(raw: Mapping[str, Any] | str | bytes, *, sha256: str) -> ItemDocument:
    """A published version's document, parsed once per process: a published version never
    changes, so the sha256 it was published with names its parse. (A `raw` whose hash is
    not `sha256` is parsed each time, never remembered under another's name.)"""
    known = _PUBLISHED.get(sha256)
    if known is None:
        known = parse_document(raw)
        if document_sha256(known) == sha256:
            _PUBLISHED.put(sha256, known)
    return known


def remembered_document(sha256: str) -> ItemDocument | None:
    """The published document of hash `sha256` if this process has parsed it already."""
    return _PUBLISHED.get(sha256)


def read_document(raw: Any) -> tuple[ItemDocument | None, list[FieldError]]:
    """The document `raw` describes, or None and every problem of its shape."""
    if isinstance(raw, str | bytes):
        try:
            raw = msgspec.json.decode(raw)
        except msgspec.DecodeError as err:
            return None, [FieldError(field="", message=f"not JSON: {err}")]
    try:
        return msgspec.convert(raw, ItemDocument), []
    except msgspec.ValidationError as err:
        return None, shape_problems(raw) or [_msgspec_problem(err)]


def shape_problems(raw: Any) -> list[FieldError]:
    """Every place where `raw` departs from the document's JSON Schema: msgspec stops at
    the first, an admin fixing a draft wants them all."""
    # jsonschema reports a missing field once per name it misses, each time naming all.
    found: dict[tuple[str, str], None] = {}
    for error in _document_validator().iter_errors(raw):
        found.update(dict.fromkeys(_places(error)))
    return [FieldError(field=at, message=message) for at, message in found]


def _places(error: ValidationError) -> list[tuple[str, str]]:
    if error.context:
        # A union (a struct or null): the closest alternative says what was meant.
        error = best_match(error.context)
    at = pointer_of("", error.absolute_path)
    given = error.instance if isinstance(error.instance, dict) else None
    if error.validator == "required" and given is not None:
        missing = [name for name in error.validator_value if name not in given]
        return [(pointer(at, name), "is required") for name in missing]
    if error.validator == "additionalProperties" and given is not None:
        known = error.schema.get("properties", {})
        unknown = sorted(name for name in given if name not in known)
        return [(pointer(at, name), "is not a field of this object") for name in unknown]
    return [(at, shorten(error.message))]


def _msgspec_problem(err: msgspec.ValidationError) -> FieldError:
    text, _, place = str(err).rpartition(" - at `")
    segments = [name or int(index) for name, index in _MSGSPEC_STEP.findall(place)]
    return FieldError(field=pointer("", *segments), message=text or str(err))


@functools.cache
def _document_validator() -> Draft202012Validator:
    return Draft202012Validator(document_json_schema())


__all__ = ["parse_document", "published_document", "read_document", "shape_problems"]
