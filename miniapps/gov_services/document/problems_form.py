"""Publish checks of what a resident meets: the form and its rules, prefill, materials and
eligibility. Each check returns every problem it finds, not the first."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from backend.sdk import FieldError
from miniapps.gov_services.document.compiled import embedded_schemas
from miniapps.gov_services.document.jsonschemas import resolve_local, schema_problems
from miniapps.gov_services.document.model import E_LICENSE, ItemDocument
from miniapps.gov_services.document.pointers import pointer, scope_path
from miniapps.gov_services.document.rules import evaluation_order

_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_NO_FIELD = "names no field of the form"


def form_problems(doc: ItemDocument) -> list[FieldError]:
    found: list[FieldError] = []
    for at, schema in embedded_schemas(doc):
        found += schema_problems(schema, at=at)
    found += _top_level_problems(doc.form.schema)
    found += _page_problems(doc)
    fields = frozenset(doc.fields)
    ui = doc.form.ui
    for part, named in (("labels", ui.labels), ("widgets", ui.widgets), ("hints", ui.hints)):
        found += [
            FieldError(field=pointer("/form/ui", part, name), message=_NO_FIELD)
            for name in named
            if name not in fields
        ]
    return found + _rule_problems(doc)


def _top_level_problems(schema: dict[str, Any]) -> list[FieldError]:
    found = []
    if schema.get("type") != "object":
        found.append(FieldError(field="/form/schema/type", message="must be object"))
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        found.append(FieldError(field="/form/schema/properties", message="must name the fields"))
        return found
    found += [
        FieldError(
            field=pointer("/form/schema/properties", name),
            message="a field's name is lowercase ASCII: a letter, then letters, digits or _",
        )
        for name in properties
        if not _FIELD_NAME.match(name)
    ]
    return found


def _page_problems(doc: ItemDocument) -> list[FieldError]:
    found = _duplicates(
        ((pointer("/form/ui/pages", i, "id"), p.id) for i, p in enumerate(doc.form.ui.pages)),
        "another page has this id",
    )
    fields = frozenset(doc.fields)
    placed: set[str] = set()
    for i, page in enumerate(doc.form.ui.pages):
        for j, name in enumerate(page.fields):
            at = pointer("/form/ui/pages", i, "fields", j)
            if name not in fields:
                found.append(FieldError(field=at, message=_NO_FIELD))
            elif name in placed:
                found.append(FieldError(field=at, message="is already on a page"))
            placed.add(name)
    found += [
        FieldError(field=pointer("/form/schema/properties", name), message="is on no page")
        for name in doc.fields
        if name not in placed
    ]
    return found


def _rule_problems(doc: ItemDocument) -> list[FieldError]:
    rules = doc.form.ui.rules
    fields = frozenset(doc.fields)
    found = _duplicates(
        ((pointer("/form/ui/rules", i, "field"), r.field) for i, r in enumerate(rules)),
        "another rule is on this field: a field has one rule",
    )
    for i, rule in enumerate(rules):
        if rule.field not in fields:
            found.append(FieldError(field=pointer("/form/ui/rules", i, "field"), message=_NO_FIELD))
        if not _scope_resolves(doc.form.schema, scope_path(rule.condition.scope)):
            found.append(
                FieldError(
                    field=pointer("/form/ui/rules", i, "condition", "scope"),
                    message="names no property of the form's schema",
                )
            )
    _, circular = evaluation_order(rules)
    found += [
        FieldError(
            field=pointer("/form/ui/rules", i, "condition", "scope"),
            message="rules read each other's fields in a circle",
        )
        for i, rule in enumerate(rules)
        if rule.field in circular
    ]
    return found


def _scope_resolves(schema: Any, path: tuple[str, ...]) -> bool:
    root = schema
    for name in path:
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            schema = resolve_local(root, schema["$ref"])
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(properties, dict) or name not in properties:
            return False
        schema = properties[name]
    return True


def prefill_problems(doc: ItemDocument, known_licences: Collection[str] | None) -> list[FieldError]:
    fields = frozenset(doc.fields)
    found = _duplicates(
        ((pointer("/prefill", i, "field"), p.field) for i, p in enumerate(doc.prefill)),
        "another prefill fills this field",
    )
    for i, prefill in enumerate(doc.prefill):
        if prefill.field not in fields:
            found.append(FieldError(field=pointer("/prefill", i, "field"), message=_NO_FIELD))
        if known_licences is not None and prefill.licence not in known_licences:
            found.append(
                FieldError(field=pointer("/prefill", i, "licence"), message="no such licence type")
            )
    return found


def material_problems(
    doc: ItemDocument, known_licences: Collection[str] | None
) -> list[FieldError]:
    found = _duplicates(
        ((pointer("/materials", i, "code"), m.code) for i, m in enumerate(doc.materials)),
        "another material has this code",
    )
    for i, material in enumerate(doc.materials):
        found += _duplicates(
            ((pointer("/materials", i, "sources", j), s) for j, s in enumerate(material.sources)),
            "is named twice",
        )
        if material.accepts_upload and not material.mime:
            found.append(
                FieldError(
                    field=pointer("/materials", i, "mime"),
                    message="an upload needs the media types it accepts",
                )
            )
        if material.accepts_commitment != (material.commitment is not None):
            found.append(
                FieldError(
                    field=pointer("/materials", i, "commitment"),
                    message="a commitment source and the commitment's text go together",
                )
            )
        if known_licences is not None:
            found += [
                FieldError(
                    field=pointer("/materials", i, "sources", j), message="no such licence type"
                )
                for j, source in enumerate(material.sources)
                if source.startswith(E_LICENSE)
                and source.removeprefix(E_LICENSE) not in known_licences
            ]
    return found


def eligibility_problems(doc: ItemDocument) -> list[FieldError]:
    return _duplicates(
        ((pointer("/eligibility", i, "id"), r.id) for i, r in enumerate(doc.eligibility)),
        "another rule has this id",
    )


def _duplicates(named: Iterable[tuple[str, str]], message: str) -> list[FieldError]:
    """A problem at each place whose name an earlier place already has."""
    seen: set[str] = set()
    found = []
    for at, name in named:
        if name in seen:
            found.append(FieldError(field=at, message=message))
        seen.add(name)
    return found


__all__ = ["eligibility_problems", "form_problems", "material_problems", "prefill_problems"]
