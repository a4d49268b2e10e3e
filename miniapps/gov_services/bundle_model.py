"""A bundle (一件事): several service items a resident applies for together, on one form,
each starting once the members it depends on are done (出生登记 waits for 出生医学证明).

The definition is data, like an item's document: its members with what each depends on,
the shared fields (one answer of the bundle's form, copied to a field of each member it
maps to) and the bundle's own promised limit. `bundle_problems` says everything that keeps
a definition from being published, each problem at its JSON pointer."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from backend.sdk import FieldError
from miniapps.gov_services.document import ItemDocument
from miniapps.gov_services.document.pointers import pointer
from miniapps.gov_services.resident_schemas import DocumentName, ItemCode

BundleName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
WorkingDays = Annotated[int, msgspec.Meta(ge=0, le=365)]
# What a field's schema says to a person, not to a value: members may word a shared field
# their own way (新生儿姓名, 参保人姓名) and still take the same answers.
ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "deprecated"})


class BundleMember(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A member item, by code (事项编码), and the members that must be done (delivered,
    approved) before it starts."""

    item: ItemCode
    depends_on: Annotated[tuple[ItemCode, ...], msgspec.Meta(max_length=20)] = ()


class BundleDefinition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a bundle version says: `shared` maps a field of the bundle's form to the field
    of each member it fills (`{"mother_id_card": {"birth_medical_certificate":
    "mother_id_card", ...}}`); `promised_limit_wd` counts from the first member's 受理."""

    members: Annotated[tuple[BundleMember, ...], msgspec.Meta(min_length=2, max_length=20)]
    shared: Annotated[
        dict[DocumentName, Annotated[dict[ItemCode, DocumentName], msgspec.Meta(min_length=1)]],
        msgspec.Meta(max_length=200),
    ] = msgspec.field(default_factory=dict)
    promised_limit_wd: WorkingDays

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(member.item for member in self.members)

    def depends_on(self, code: str) -> tuple[str, ...]:
        return next((m.depends_on for m in self.members if m.item == code), ())

    def shared_of(self, code: str) -> dict[str, str]:
        """The member's fields that shared fields fill: member field → bundle field."""
        return {mapped[code]: name for name, mapped in self.shared.items() if code in mapped}


class BundleIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A bundle version as an admin writes it."""

    code: ItemCode
    name: BundleName
    definition: BundleDefinition


def definition_json(definition: BundleDefinition) -> dict[str, Any]:
    """The definition as JSON values, keys sorted (what a version row keeps)."""
    found: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(definition, order="sorted"))
    return found


def bundle_sha256(code: str, name: str, definition: BundleDefinition) -> str:
    """The hash of a version's canonical JSON: code, name and definition, keys sorted."""
    content = {"code": code, "name": name, "definition": definition}
    return hashlib.sha256(msgspec.json.encode(content, order="sorted")).hexdigest()


def bundle_problems(
    definition: BundleDefinition, documents: Mapping[str, ItemDocument | None]
) -> list[FieldError]:
    """Every reason the definition may not be published; `documents` holds each member's
    document in force, None for a code with no published version. Pointers are into the
    definition (`/members/1/depends_on/0`, `/shared/mother_id_card/social_security_card`)."""
    return [
        *_member_problems(definition, documents),
        *_dependency_problems(definition),
        *_shared_problems(definition, documents),
    ]


def _member_problems(
    definition: BundleDefinition, documents: Mapping[str, ItemDocument | None]
) -> list[FieldError]:
    found = []
    seen: set[str] = set()
    for i, member in enumerate(definition.members):
        at = pointer("/members", i, "item")
        if member.item in seen:
            found.append(FieldError(field=at, message="is a member already"))
        seen.add(member.item)
        if documents.get(member.item) is None:
            found.append(FieldError(field=at, message="no published item has this code"))
    return found


def _dependency_problems(definition: BundleDefinition) -> list[FieldError]:
    codes = set(definition.codes)
    found = []
    for i, member in enumerate(definition.members):
        for j, needed in enumerate(member.depends_on):
            at = pointer("/members", i, "depends_on", j)
            if needed == member.item:
                found.append(FieldError(field=at, message="a member cannot wait for itself"))
            elif needed not in codes:
                found.append(FieldError(field=at, message="names no member of the bundle"))
    cycle = dependency_cycle(definition)
    if cycle:
        at = pointer("/members", definition.codes.index(cycle[0]), "depends_on")
        found.append(
            FieldError(field=at, message="the members wait for each other: " + " → ".join(cycle))
        )
    return found


def dependency_cycle(definition: BundleDefinition) -> list[str]:
    """A cycle of members each waiting for the next (`a → b → a`), or [] if there is none:
    members in a cycle would never start. Self-waits and unknown names are left to their
    own problems."""
    codes = set(definition.codes)
    edges = {
        m.item: [d for d in m.depends_on if d in codes and d != m.item] for m in definition.members
    }
    done: set[str] = set()
    for start in definition.codes:
        path: list[str] = []
        found = _walk(start, edges, path, done)
        if found:
            return found
    return []


def _walk(code: str, edges: Mapping[str, list[str]], path: list[str], done: set[str]) -> list[str]:
    """Depth first from `code`; the cycle through `path` if one closes."""
    if code in path:
        return [*path[path.index(code) :], code]
    if code in done:
        return []
    path.append(code)
    for needed in edges.get(code, []):
        found = _walk(needed, edges, path, done)
        if found:
            return found
    path.pop()
    done.add(code)
    return []


def _shared_problems(
    definition: BundleDefinition, documents: Mapping[str, ItemDocument | None]
) -> list[FieldError]:
    found = []
    filled: dict[tuple[str, str], str] = {}
    for name, mapped in definition.shared.items():
        first: dict[str, Any] | None = None
        for code, field in mapped.items():
            at = pointer("/shared", name, code)
            if code not in definition.codes:
                found.append(FieldError(field=at, message="names no member of the bundle"))
                continue
            if (code, field) in filled:
                other = filled[(code, field)]
                found.append(FieldError(field=at, message=f"{field} is filled by {other} too"))
            filled[(code, field)] = name
            doc = documents.get(code)
            schema = field_schema(doc, field) if doc is not None else None
            if doc is not None and schema is None:
                found.append(FieldError(field=at, message=f"{field} is not a field of the item"))
            elif schema is not None and first is None:
                first = schema
            elif schema is not None and schema != first:
                found.append(
                    FieldError(field=at, message=f"{field} takes other answers than the others")
                )
    return found


def field_schema(doc: ItemDocument, field: str) -> dict[str, Any] | None:
    """The schema of one field of the item's form, without the words around it."""
    properties = doc.form.schema.get("properties")
    found = properties.get(field) if isinstance(properties, dict) else None
    if not isinstance(found, dict):
        return None
    bare: dict[str, Any] = _without_annotations(found)
    return bare


def _without_annotations(schema: Any) -> Any:
    """The schema without annotation keywords, at every depth where a schema stands; a
    value (`const`, `enum`, `default`) and a property's name stay as written."""
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ANNOTATIONS:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            kept[key] = {name: _without_annotations(v) for name, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            kept[key] = [_without_annotations(v) for v in value]
        elif key in _SCHEMAS:
            kept[key] = _without_annotations(value)
        else:
            kept[key] = value
    return kept


_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMAS = frozenset(
    {
        "items",
        "contains",
        "not",
        "if",
        "then",
        "else",
        "additionalProperties",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)


__all__ = [
    "BundleDefinition",
    "BundleIn",
    "BundleMember",
    "bundle_problems",
    "bundle_sha256",
    "definition_json",
    "dependency_cycle",
    "field_schema",
]
