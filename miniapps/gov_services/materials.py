"""A draft's materials (申请材料): a file uploaded, a licence (电子证照) given with the
applicant's consent, or a signed commitment (告知承诺) in place of a proof.

A licence is kept as its reference, its hash and the time of consent, never as a copy: the
licence stays with its issuer, and submit checks it is still the one given. A file is kept
in the host's storage, typed by its own first bytes, not by what the client called it.

Every change bumps the application's version, conditional on the version read, so a
material given or taken away while the draft is being submitted makes one of the two fail
rather than slip past the check of required materials."""

from __future__ import annotations

import enum
import hashlib

from backend.sdk import (
    Claims,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Storage,
    Unprocessable,
    UnsupportedMediaType,
    unit_of_work,
    utc_now,
)
from miniapps.gov_services.applying import (
    change_draft,
    own_case,
    require_draft,
    the_applicant,
    view_of,
)
from miniapps.gov_services.cases import Case, require_version
from miniapps.gov_services.document import ItemDocument, Material
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.resident_schemas import ApplicationView
from miniapps.gov_services.states import Status
from miniapps.gov_services.supplement import asked_materials
from miniapps.gov_services.tables import MaterialItem

# What a file is, by its first bytes. Anything else is `application/octet-stream`, which a
# material takes only if it names no types.
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}
UNKNOWN_KIND = ("application/octet-stream", ".bin")


class Source(enum.StrEnum):
    """How a material was given: what `MaterialItem.source` holds."""

    UPLOAD = "upload"
    E_LICENSE = "e_license"
    COMMITMENT = "commitment"


def kind_of(data: bytes) -> tuple[str, str]:
    """The content type and file suffix of `data`, by its own first bytes."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return UNKNOWN_KIND


def material_of(doc: ItemDocument, code: str) -> Material:
    found = next((m for m in doc.materials if m.code == code), None)
    if found is None:
        raise Unprocessable(GovServicesCode.MATERIAL_UNKNOWN, extensions={"material": code})
    return found


def _refused_source(material: Material) -> Unprocessable:
    return Unprocessable(
        GovServicesCode.MATERIAL_SOURCE_REFUSED,
        extensions={"material": material.code, "sources": list(material.sources)},
    )


async def _draft(
    actor: Claims, application_id: int, expected: int | None, code: str | None
) -> Case:
    """The caller's application, if its material `code` may change now: anything while it
    is a draft; while it waits for 补正, the materials the return asked for, which the
    resident must give anew to answer it."""
    case = await own_case(actor, application_id)
    require_version(case, expected)
    if case["status"] != Status.SUPPLEMENT or code not in await asked_materials(case["id"]):
        require_draft(case)
    return case


async def _take_slot(case: Case, material: Material, expected: int | None) -> None:
    """Inside the unit of work: move the draft to its next version (holding its row until
    commit), then make sure the material has room for one more."""
    await change_draft(case, expected=expected)
    given = await MaterialItem.count().where(
        (MaterialItem.application_id == case["id"]) & (MaterialItem.material_code == material.code)
    )
    if given >= material.max_files:
        raise Unprocessable(
            GovServicesCode.MATERIAL_TOO_MANY,
            extensions={"material": material.code, "max_files": material.max_files},
        )


async def upload(
    *,
    actor: Claims,
    application_id: int,
    material_code: str,
    data: bytes,
    storage: Storage,
    expected_version: int | None,
    licences: Licences,
    locale: str | None,
) -> ApplicationView:
    """Keep a file as one of the draft's materials: a 413 past the material's size, a 415
    for a type it does not take."""
    case = await _draft(actor, application_id, expected_version, material_code)
    material = material_of(await pinned_document(case["item_version_id"]), material_code)
    if not material.accepts_upload:
        raise _refused_source(material)
    if not data:
        raise Unprocessable(GovServicesCode.MATERIAL_UPLOAD_INVALID)
    if len(data) > material.max_bytes:
        raise PayloadTooLarge(
            GovServicesCode.MATERIAL_TOO_LARGE, extensions={"max_bytes": material.max_bytes}
        )
    mime, suffix = kind_of(data)
    if material.mime and mime not in material.mime:
        raise UnsupportedMediaType(
            GovServicesCode.MATERIAL_TYPE_UNSUPPORTED,
            extensions={"received": mime, "accepted": list(material.mime)},
        )
    key = await storage.put(data, suffix=suffix)
    async with unit_of_work():
        await _take_slot(case, material, expected_version)
        await MaterialItem.insert(
            MaterialItem(
                application_id=case["id"],
                material_code=material.code,
                source=Source.UPLOAD,
                file_key=key,
                sha256=hashlib.sha256(data).hexdigest(),
                mime=mime,
                size=len(data),
                added_by=actor.user_id,
            )
        )
    return await view_of(await own_case(actor, application_id), licences=licences, locale=locale)


async def attach_licence(
    *,
    actor: Claims,
    application_id: int,
    material_code: str,
    licence_ref: str,
    consent: bool,
    expected_version: int | None,
    licences: Licences,
    locale: str | None,
) -> ApplicationView:
    """Give one of the caller's licences as a material, with their consent to its use:
    a 403 without consent, or for a licence that is not theirs (or no longer valid)."""
    case = await _draft(actor, application_id, expected_version, material_code)
    material = material_of(await pinned_document(case["item_version_id"]), material_code)
    if not material.licence_types:
        raise _refused_source(material)
    if not consent:
        raise Forbidden(GovServicesCode.LICENCE_CONSENT_REQUIRED)
    who = await the_applicant(actor, licences)
    licence = next((lic for lic in who.licences if lic.ref == licence_ref), None)
    if licence is None:
        raise Forbidden(GovServicesCode.LICENCE_NOT_YOURS)
    if licence.type not in material.licence_types:
        raise _refused_source(material)
    async with unit_of_work():
        await _take_slot(case, material, expected_version)
        await MaterialItem.insert(
            MaterialItem(
                application_id=case["id"],
                material_code=material.code,
                source=Source.E_LICENSE,
                licence_ref=licence.ref,
                sha256=licence.sha256,
                consent_at=utc_now(),
                added_by=actor.user_id,
            )
        )
    return await view_of(await own_case(actor, application_id), licences=licences, locale=locale)


async def sign_commitment(
    *,
    actor: Claims,
    application_id: int,
    material_code: str,
    signed: bool,
    expected_version: int | None,
    licences: Licences,
    locale: str | None,
) -> ApplicationView:
    """Sign the material's commitment (告知承诺书) in place of the proof: the statement is
    kept as the caller read it, in their language, with its hash and the time signed."""
    case = await _draft(actor, application_id, expected_version, material_code)
    material = material_of(await pinned_document(case["item_version_id"]), material_code)
    if not material.accepts_commitment or material.commitment is None:
        raise _refused_source(material)
    if not signed:
        raise Unprocessable(GovServicesCode.COMMITMENT_UNSIGNED)
    statement = material.commitment.pick(locale)
    async with unit_of_work():
        await _take_slot(case, material, expected_version)
        await MaterialItem.insert(
            MaterialItem(
                application_id=case["id"],
                material_code=material.code,
                source=Source.COMMITMENT,
                sha256=hashlib.sha256(statement.encode()).hexdigest(),
                mime="text/plain; charset=utf-8",
                size=len(statement.encode()),
                statement=statement,
                consent_at=utc_now(),
                added_by=actor.user_id,
            )
        )
    return await view_of(await own_case(actor, application_id), licences=licences, locale=locale)


async def remove_material(
    *,
    actor: Claims,
    application_id: int,
    material_id: int,
    expected_version: int | None,
    licences: Licences,
    locale: str | None,
) -> ApplicationView:
    """Take a material off the draft (a wrong file, another licence to give), or one a 补正
    asked for off the returned case, to give it anew."""
    given = (
        await MaterialItem.select(MaterialItem.material_code)
        .where((MaterialItem.id == material_id) & (MaterialItem.application_id == application_id))
        .first()
    )
    code = given["material_code"] if given is not None else None
    case = await _draft(actor, application_id, expected_version, code)
    async with unit_of_work():
        await change_draft(case, expected=expected_version)
        removed = (
            await MaterialItem.delete()
            .where((MaterialItem.id == material_id) & (MaterialItem.application_id == case["id"]))
            .returning(MaterialItem.id)
        )
        if not removed:
            raise NotFound(GovServicesCode.MATERIAL_NOT_FOUND)
    return await view_of(await own_case(actor, application_id), licences=licences, locale=locale)
