"""A licence given once for a bundle (一件事): attached as a material to each member that asks
for a material of its code in a form it takes, as a reference and a hash, with the time of
the applicant's consent (the same record `materials.attach_licence` keeps for one draft)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from miniapps.gov_services.document import ItemDocument
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
