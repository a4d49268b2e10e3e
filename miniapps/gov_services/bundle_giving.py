"""A licence given once for a bundle (一件事): attached as a material to each member that asks
for a material of its code in a form it takes, as a reference and a hash, with the time of
the applicant's consent (the same record `materials.attach_licence` keeps for one draft).
`licence_plan` checks the licences a bundle's submit names, before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.sdk import FieldError, Forbidden, Unprocessable
from miniapps.gov_services.bundle_schemas import SubmitBundleIn
from miniapps.gov_services.document import ItemDocument
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.licences.provider import Licence
from miniapps.gov_services.materials import Source
from miniapps.gov_services.tables import MaterialItem


class Given(msgspec.Struct, frozen=True, kw_only=True):
    material_code: str
    licence: Licence


async def give_licences(
    case: Mapping[str, Any],
    doc: ItemDocument,
    given: Sequence[Given],
    *,
    added_by: int,
    consent_at: dt.datetime,
) -> None:
    """Attach each licence to the draft `case` where its item asks for it; a material that
    has the licence already, or as many files as it takes, is left as it is. Inside the
    unit of work that changed the draft's version, so no other change of its materials
    slips in between the count and the insert."""
    for use in given:
        material = next((m for m in doc.materials if m.code == use.material_code), None)
        if material is None or use.licence.type not in material.licence_types:
            continue
        rows = await MaterialItem.select(MaterialItem.licence_ref).where(
            (MaterialItem.application_id == case["id"])
            & (MaterialItem.material_code == material.code)
        )
        if len(rows) >= material.max_files or any(
            row["licence_ref"] == use.licence.ref for row in rows
        ):
            continue
        await MaterialItem.insert(
            MaterialItem(
                application_id=case["id"],
                material_code=material.code,
                source=Source.E_LICENSE,
                licence_ref=use.licence.ref,
                sha256=use.licence.sha256,
                consent_at=consent_at,
                added_by=added_by,
            )
        )


class LicencePlan(msgspec.Struct, frozen=True, kw_only=True):
    """The licences of the submit: those given now, and those awaited (material code and
    the licence type a member will issue)."""

    given: list[Given]
    awaited: list[dict[str, str]]


def licence_plan(
    data: SubmitBundleIn, docs: Mapping[str, ItemDocument], held: Mapping[str, Licence]
) -> LicencePlan:
    """The licences given, each checked: consent given (403), the caller's (403), for a
    material some member asks for (422) in a form it takes (422)."""
    if data.materials and not data.consent:
        raise Forbidden(Code.LICENCE_CONSENT_REQUIRED)
    given: list[Given] = []
    awaited: list[dict[str, str]] = []
    for i, use in enumerate(data.materials):
        if (use.licence_ref is None) == (use.licence_type is None):
            raise Unprocessable(
                Code.BUNDLE_INCOMPLETE,
                errors=[
                    FieldError(field=f"/materials/{i}", message="give licence_ref or licence_type")
                ],
            )
        types = _types_taken(docs, use.material_code)
        if use.licence_ref is not None:
            licence = held.get(use.licence_ref)
            if licence is None:
                raise Forbidden(Code.LICENCE_NOT_YOURS)
            _require_taken(use.material_code, licence.type, types)
            given.append(Given(material_code=use.material_code, licence=licence))
        elif use.licence_type is not None:
            _require_taken(use.material_code, use.licence_type, types)
            awaited.append({"material_code": use.material_code, "licence_type": use.licence_type})
    return LicencePlan(given=given, awaited=awaited)


def _types_taken(docs: Mapping[str, ItemDocument], material_code: str) -> set[str] | None:
    """The licence types that any member's material of this code takes; None if no member
    asks for such a material."""
    materials = [m for doc in docs.values() for m in doc.materials if m.code == material_code]
    if not materials:
        return None
    return {kind for m in materials for kind in m.licence_types}


def _require_taken(material_code: str, licence_type: str, types: set[str] | None) -> None:
    if types is None:
        raise Unprocessable(Code.MATERIAL_UNKNOWN, extensions={"material": material_code})
    if licence_type not in types:
        raise Unprocessable(
            Code.MATERIAL_SOURCE_REFUSED,
            extensions={"material": material_code, "sources": sorted(types)},
        )
