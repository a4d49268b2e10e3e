"""What an item asks of an applicant beyond the form: eligibility over the facts known of
them, the materials their answers call for, and the answers their licences fill in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import FieldError, Unprocessable
from miniapps.gov_services.document.compiled import compiled
from miniapps.gov_services.document.model import ItemDocument, Material
from miniapps.gov_services.errors import GovServicesCode


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What eligibility is judged on, as JSON values (a date as `YYYY-MM-DD`): the
    applicant's profile (`age`, `district` ...), their licences by type (证照类型 → the
    licence's fields), and the answers given so far."""

    profile: dict[str, Any] = {}
    licences: dict[str, dict[str, Any]] = {}
    answers: dict[str, Any] = {}


def check_eligibility(doc: ItemDocument, facts: Facts, *, locale: str | None = None) -> None:
    """Refuse (422 `not_eligible`) an applicant failing any eligibility rule, listing every
    rule failed: `field` is the rule's id, `message` its message in `locale`."""
    document = {"profile": facts.profile, "licences": facts.licences, "answers": facts.answers}
    failed = [
        FieldError(field=rule.id, message=rule.message.pick(locale))
        for rule, predicate in compiled(doc).eligibility
        if not predicate.is_valid(document)
    ]
    if failed:
        raise Unprocessable(GovServicesCode.NOT_ELIGIBLE, errors=failed)


def required_materials(doc: ItemDocument, answers: Mapping[str, Any]) -> list[Material]:
    """The materials these (checked) answers call for, in document order: those required
    always, and those whose `required_when` the answers match."""
    return [
        material
        for material, condition in compiled(doc).materials
        if condition is None or condition.is_valid(answers)
    ]


def prefill_values(doc: ItemDocument, licences: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Field → value for each prefill whose licence (by type) the applicant holds and
    which has the field: the answers to fill in at start, and to hold them to at submit."""
    values: dict[str, Any] = {}
    for prefill in doc.prefill:
        licence = licences.get(prefill.licence)
        if licence is not None and prefill.licence_field in licence:
            values[prefill.field] = licence[prefill.licence_field]
    return values


__all__ = ["Facts", "check_eligibility", "prefill_values", "required_materials"]
