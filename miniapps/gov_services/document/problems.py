"""The meta-validation a version passes before it is published: every problem listed, the
shape first (nothing else can be read of a document of the wrong shape), then the rest."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from backend.sdk import FieldError, Level, Role, Unprocessable, is_valid, is_within, level_of
from miniapps.gov_services.document.model import ItemDocument, StepKind
from miniapps.gov_services.document.parse import read_document
from miniapps.gov_services.document.pointers import pointer
from miniapps.gov_services.document.problems_form import (
    eligibility_problems,
    form_problems,
    material_problems,
    prefill_problems,
)
from miniapps.gov_services.errors import GovServicesCode

ALL_ROLES: frozenset[str] = frozenset(Role)
# The roles a step may be for: only they reach the staff routes and have a worklist, so a
# step of any other role would hold every case that reaches it, with nobody to move it on.
STEP_ROLES: frozenset[str] = frozenset({Role.SERVICE_OFFICER, Role.SERVICE_APPROVER})
CHAIN = "the chain is accept, then reviews, then one decide, then deliver"


def problems_in(
    document: ItemDocument | Mapping[str, Any],
    *,
    known_roles: Collection[str] = STEP_ROLES,
    known_units: Collection[str] | None = None,
    known_licences: Collection[str] | None = None,
) -> list[FieldError]:
    """Every reason the document may not be published, each at its JSON pointer in the
    document (`/steps/2/role`); empty if it may. `known_units` (org paths) and
    `known_licences` (licence types), when given, are what org paths and licence types
    must name."""
    if isinstance(document, ItemDocument):
        doc = document
    else:
        read, shape = read_document(document)
        if read is None:
            return shape
        doc = read
    return [
        *form_problems(doc),
        *prefill_problems(doc, known_licences),
        *material_problems(doc, known_licences),
        *eligibility_problems(doc),
        *step_problems(doc, known_roles),
        *limit_problems(doc),
        *org_problems(doc, known_units),
    ]


def require_publishable(
    document: ItemDocument | Mapping[str, Any],
    *,
    known_roles: Collection[str] = STEP_ROLES,
    known_units: Collection[str] | None = None,
    known_licences: Collection[str] | None = None,
) -> ItemDocument:
    """The document, if it may be published; else a 422 (`document_invalid`) listing
    every problem `problems_in` finds."""
    problems = problems_in(
        document, known_roles=known_roles, known_units=known_units, known_licences=known_licences
    )
    if problems:
        raise Unprocessable(GovServicesCode.DOCUMENT_INVALID, errors=problems)
    if isinstance(document, ItemDocument):
        return document
    doc, _ = read_document(document)
    assert doc is not None  # problems_in found its shape right
    return doc


def step_problems(doc: ItemDocument, known_roles: Collection[str]) -> list[FieldError]:
    found: list[FieldError] = []
    codes: set[str] = set()
    for i, step in enumerate(doc.steps):
        if step.code in codes:
            found.append(FieldError(field=pointer("/steps", i, "code"), message="is taken"))
        codes.add(step.code)
        if step.role not in known_roles:
            message = "not a role that handles cases (service_officer or service_approver)"
            found.append(FieldError(field=pointer("/steps", i, "role"), message=message))
    return found + _chain_problems(doc)


def _chain_problems(doc: ItemDocument) -> list[FieldError]:
    """受理 → 审核* → 决定 → 送达, in list order."""
    count = len(doc.steps)
    if count < 3:
        return [FieldError(field="/steps", message=f"too short: {CHAIN}")]
    found = []
    for i, step in enumerate(doc.steps):
        expected = _kind_at(i, count)
        if step.kind is not expected:
            found.append(
                FieldError(
                    field=pointer("/steps", i, "kind"), message=f"must be {expected}: {CHAIN}"
                )
            )
    return found


def _kind_at(index: int, count: int) -> StepKind:
    if index == 0:
        return StepKind.ACCEPT
    if index == count - 1:
        return StepKind.DELIVER
    if index == count - 2:
        return StepKind.DECIDE
    return StepKind.REVIEW


def limit_problems(doc: ItemDocument) -> list[FieldError]:
    found = []
    legal = doc.legal_limit_wd
    if legal is None and doc.legal_limit_note is None:
        found.append(
            FieldError(
                field="/legal_limit_wd",
                message="give the legal limit in working days, or cite the law's calendar "
                "days in legal_limit_note",
            )
        )
    if legal is not None and doc.promised_limit_wd > legal:
        found.append(
            FieldError(field="/promised_limit_wd", message=f"exceeds the legal limit of {legal}")
        )
    if doc.extension_wd and not doc.promised_limit_wd:
        found.append(
            FieldError(field="/extension_wd", message="an item done at once (即办) is not extended")
        )
    used = sum(step.time_limit_wd for step in doc.steps)
    if used > doc.promised_limit_wd:
        found.append(
            FieldError(
                field="/steps",
                message=f"the steps take {used} working days, more than the promised "
                f"{doc.promised_limit_wd}",
            )
        )
    return found


def org_problems(doc: ItemDocument, known_units: Collection[str] | None) -> list[FieldError]:
    if not doc.implementing_orgs:
        return [FieldError(field="/implementing_orgs", message="name the org of each district")]
    found = []
    districts: set[str] = set()
    for i, entry in enumerate(doc.implementing_orgs):
        at = pointer("/implementing_orgs", i)
        if not is_valid(entry.district) or level_of(entry.district) is not Level.DISTRICT:
            found.append(FieldError(field=at + "/district", message="is not a district's path"))
        elif entry.district in districts:
            found.append(FieldError(field=at + "/district", message="has an org already"))
        elif known_units is not None and entry.district not in known_units:
            found.append(FieldError(field=at + "/district", message="no such district"))
        districts.add(entry.district)
        if not is_valid(entry.org) or not is_within(entry.org, entry.district):
            found.append(FieldError(field=at + "/org", message="is not an org in the district"))
        elif known_units is not None and entry.org not in known_units:
            found.append(FieldError(field=at + "/org", message="no such org unit"))
    return found


__all__ = ["ALL_ROLES", "problems_in", "require_publishable"]
