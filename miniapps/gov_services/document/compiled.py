"""A document's schemas compiled once, for every answer checked against it.

Compiled forms are kept by the document's sha256: a version's document is the same bytes in
every request and every process, so the cache holds no state another process would need, and
a submit pays for a lookup instead of building validators."""

from __future__ import annotations

from backend.sdk import BoundedCache, FieldError, Unprocessable
from miniapps.gov_services.document.canonical import document_sha256
from miniapps.gov_services.document.form import JsonSchema
from miniapps.gov_services.document.jsonschemas import (
    CompiledSchema,
    compile_schema,
    schema_problems,
    without_required,
)
from miniapps.gov_services.document.model import ItemDocument
from miniapps.gov_services.document.pointers import pointer, scope_path
from miniapps.gov_services.document.rules import CompiledRule, evaluation_order
from miniapps.gov_services.errors import GovServicesCode

# Far more than the versions in use at once: a version is retired when its successor is
# published, and applications on it keep asking for it only until they close.
_CAPACITY = 512
# Each set of fields the rules hide asks for its own schema; a form has a few rules, so a
# few sets, but answers choose them: bounded all the same.
_VARIANTS = 64


class CompiledDocument:
    """The schemas of one document, compiled."""

    __slots__ = ("_schema", "_variants", "draft", "eligibility", "fields", "materials", "rules")

    def __init__(self, doc: ItemDocument) -> None:
        self._schema = doc.form.schema
        self._variants: BoundedCache[frozenset[str], CompiledSchema] = BoundedCache(
            _VARIANTS, lru=True
        )
        self.fields = frozenset(doc.fields)
        # What a draft is held to: every answer given checked, none required.
        self.draft = compile_schema(without_required(doc.form.schema))
        ordered, _ = evaluation_order(doc.form.ui.rules)
        self.rules = tuple(
            CompiledRule(
                field=rule.field,
                effect=rule.effect,
                reads=scope_path(rule.condition.scope),
                matches=compile_schema(rule.condition.schema).is_valid,
            )
            for rule in ordered
        )
        # Each material with its `required_when` compiled (None: required always).
        self.materials = tuple(
            (m, None if m.required_when is None else compile_schema(m.required_when))
            for m in doc.materials
        )
        self.eligibility = tuple((rule, compile_schema(rule.predicate)) for rule in doc.eligibility)

    def complete(self, hidden: frozenset[str]) -> CompiledSchema:
        """What a submit is held to when the rules hide `hidden`: the form's schema, its
        top level requiring none of them."""
        known = self._variants.get(hidden)
        if known is None:
            known = compile_schema(_not_requiring(self._schema, hidden))
            self._variants.put(hidden, known)
        return known


def _not_requiring(schema: JsonSchema, hidden: frozenset[str]) -> JsonSchema:
    required = schema.get("required")
    if not hidden or not isinstance(required, list):
        return schema
    return {**schema, "required": [name for name in required if name not in hidden]}


_COMPILED: BoundedCache[str, CompiledDocument] = BoundedCache(_CAPACITY, lru=True)


def compiled(doc: ItemDocument) -> CompiledDocument:
    """The document's compiled schemas. A document whose schemas are not valid JSON Schema
    (a draft not yet checked for publishing) is refused with each problem listed."""
    sha = document_sha256(doc)
    known = _COMPILED.get(sha)
    if known is None:
        known = _compile(doc)
        _COMPILED.put(sha, known)
    return known


def embedded_schemas(doc: ItemDocument) -> list[tuple[str, dict[str, object]]]:
    """Every JSON Schema in the document, with its pointer."""
    schemas: list[tuple[str, dict[str, object]]] = [("/form/schema", doc.form.schema)]
    schemas += [
        (pointer("/form/ui/rules", i, "condition", "schema"), rule.condition.schema)
        for i, rule in enumerate(doc.form.ui.rules)
    ]
    schemas += [
        (pointer("/materials", i, "required_when"), material.required_when)
        for i, material in enumerate(doc.materials)
        if material.required_when is not None
    ]
    schemas += [
        (pointer("/eligibility", i, "predicate"), rule.predicate)
        for i, rule in enumerate(doc.eligibility)
    ]
    return schemas


def _compile(doc: ItemDocument) -> CompiledDocument:
    problems: list[FieldError] = []
    for at, schema in embedded_schemas(doc):
        problems += schema_problems(schema, at=at)
    if problems:
        raise Unprocessable(GovServicesCode.DOCUMENT_INVALID, errors=problems)
    return CompiledDocument(doc)


__all__ = ["CompiledDocument", "compiled", "embedded_schemas"]
