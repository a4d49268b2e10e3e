"""A document's canonical bytes and hash, its published JSON Schema, and the diff of two
versions."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import msgspec

from miniapps.gov_services.document.model import ItemDocument
from miniapps.gov_services.document.pointers import pointer

_SHA256 = "_sha256"


def canonical_bytes(doc: ItemDocument) -> bytes:
    """The document as JSON with every field (defaults too), keys sorted at every depth and
    no whitespace: the same document gives the same bytes however its JSON was written."""
    return msgspec.json.encode(doc, order="sorted")


def document_sha256(doc: ItemDocument) -> str:
    """The hex sha256 of `canonical_bytes(doc)`, computed once per document object."""
    # A document is frozen, so its hash is kept on it the way `functools.cached_property`
    # keeps a value: validating answers asks for it on every submit.
    known: str | None = doc.__dict__.get(_SHA256)
    if known is None:
        known = doc.__dict__[_SHA256] = hashlib.sha256(canonical_bytes(doc)).hexdigest()
    return known


def document_json(doc: ItemDocument) -> dict[str, Any]:
    """The document as JSON values (what a version row stores), keys sorted."""
    result: dict[str, Any] = msgspec.json.decode(canonical_bytes(doc))
    return result


@functools.cache
def document_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of an item document, for the admin API to publish and
    clients to check a draft's shape with. What a schema cannot say (fields named exist,
    one chain of steps ...) is checked at publish."""
    schema: dict[str, Any] = msgspec.json.schema(ItemDocument)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


class Change(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One difference between two versions: the value at `pointer` before and after; a
    side is left out where the value did not exist."""

    pointer: str
    before: Any = msgspec.UNSET
    after: Any = msgspec.UNSET


def diff_documents(old: ItemDocument, new: ItemDocument) -> list[Change]:
    """Every value that differs between `old` and `new`, by pointer, objects in key order
    and lists item by item."""
    changes: list[Change] = []
    _diff(document_json(old), document_json(new), "", changes)
    return changes


def _diff(before: Any, after: Any, at: str, changes: list[Change]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(before.keys() | after.keys()):
            _diff(
                before.get(key, msgspec.UNSET),
                after.get(key, msgspec.UNSET),
                pointer(at, key),
                changes,
            )
    elif isinstance(before, list) and isinstance(after, list):
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else msgspec.UNSET
            new = after[index] if index < len(after) else msgspec.UNSET
            _diff(old, new, pointer(at, index), changes)
    elif type(before) is not type(after) or before != after:
        # As written: 1 → 1.0 changes the canonical bytes, so the diff shows it.
        changes.append(Change(pointer=at, before=before, after=after))


__all__ = [
    "Change",
    "canonical_bytes",
    "diff_documents",
    "document_json",
    "document_json_schema",
    "document_sha256",
]
