"""A resident's answers against an item's form: which fields show, what is kept, and every
answer refused, each by its JSON pointer (`/answers/spouse/id_card`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from jsonschema.exceptions import ValidationError

from backend.sdk import FieldError, Unprocessable
from miniapps.gov_services.document.compiled import compiled
from miniapps.gov_services.document.messages import describe, locale_index, required_message
from miniapps.gov_services.document.model import ItemDocument
from miniapps.gov_services.document.pointers import ABSENT, pointer, pointer_of, same_value
from miniapps.gov_services.document.rules import hidden_fields
from miniapps.gov_services.errors import GovServicesCode

ANSWERS = "/answers"
NOTHING_PREFILLED: Mapping[str, Any] = MappingProxyType({})
_PREFILLED = (
    "须与电子证照一致,不能修改",
    "must stay as filled in from the licence",
)


def visible_fields(doc: ItemDocument, answers: Mapping[str, Any]) -> frozenset[str]:
    """The fields shown for `answers`: every field of the form but those its rules hide."""
    return frozenset(doc.fields) - hidden_fields(compiled(doc).rules, answers)


def check_answers(
    doc: ItemDocument,
    answers: Mapping[str, Any],
    *,
    complete: bool,
    prefilled: Mapping[str, Any] = NOTHING_PREFILLED,
    locale: str | None = None,
) -> dict[str, Any]:
    """The answers to store: those of visible fields, each valid. Hidden and unknown fields
    are dropped, and a hidden field is never required.

    A draft (`complete=False`) is checked for what it gives and required nowhere; a submit
    (`complete=True`) also for what it lacks. `prefilled` maps a field to the value its
    licence gave it: an answer that differs is refused. Every refused answer is listed in
    one 422 (`answers_invalid`), with messages in `locale` (zh-CN unless English)."""
    form = compiled(doc)
    hidden = hidden_fields(form.rules, answers)
    fields = form.fields
    kept = {k: v for k, v in answers.items() if k in fields and k not in hidden}
    language = locale_index(locale)
    validator = form.complete(hidden) if complete else form.draft
    problems = _refusals(validator.errors(kept), hidden, language)
    for field, value in prefilled.items():
        if (
            field in fields
            and field not in hidden
            and not same_value(kept.get(field, ABSENT), value)
        ):
            problems.setdefault((pointer(ANSWERS, field), _PREFILLED[language]))
    if problems:
        errors = [FieldError(field=at, message=message) for at, message in problems]
        raise Unprocessable(GovServicesCode.ANSWERS_INVALID, errors=errors)
    return kept


def _refusals(
    errors: Iterable[ValidationError], hidden: frozenset[str], language: int
) -> dict[tuple[str, str], None]:
    """(pointer, message) of each refusal, in the order found, once each: jsonschema reports
    a missing property once per name it misses, each time naming all."""
    found: dict[tuple[str, str], None] = {}
    for error in errors:
        at = pointer_of(ANSWERS, error.absolute_path)
        missing = _missing(error)
        if missing is None:
            found.setdefault((at, describe(error, language)))
            continue
        at_root = not error.absolute_path
        for name in missing:
            if not (at_root and name in hidden):
                found.setdefault((pointer(at, name), required_message(language)))
    return found


def _missing(error: ValidationError) -> list[str] | None:
    """The property names a `required` or `dependentRequired` refusal misses; None for
    any other refusal."""
    given = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        return [name for name in error.validator_value if name not in given]
    if error.validator == "dependentRequired":
        return [
            name
            for trigger, names in error.validator_value.items()
            if trigger in given
            for name in names
            if name not in given
        ]
    return None


__all__ = ["ANSWERS", "check_answers", "visible_fields"]
