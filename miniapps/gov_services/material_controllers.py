"""HTTP of a draft's materials: upload a file, give a licence with consent, sign a
commitment, or take one off. Each answers the application as it now stands."""

from __future__ import annotations

from litestar import Response, delete, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.sdk import (
    AnyRequest,
    KernelCode,
    RowId,
    Storage,
    claims_of,
    idempotent,
    problems,
)
from miniapps.gov_services import materials
from miniapps.gov_services.cases import version_in
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.material_uploads import MAX_UPLOAD_BODY, MaterialUpload, upload_sent
from miniapps.gov_services.resident_controllers import (
    CHANGE,
    ONE,
    RESIDENTS,
    IfMatch,
    locale_of,
    tagged,
)
from miniapps.gov_services.resident_schemas import (
    ApplicationView,
    CommitmentIn,
    LicenceMaterialIn,
)

# Refusals of giving any material, besides those of the way it is given.
GIVING = [Code.MATERIAL_UNKNOWN, Code.MATERIAL_SOURCE_REFUSED, Code.MATERIAL_TOO_MANY]


@post(
    f"{ONE}/materials/files",
    operation_id="UploadApplicationMaterial",
    operation_class=MaterialUpload,
    guards=RESIDENTS,
    middleware=[idempotent],
    request_max_body_size=MAX_UPLOAD_BODY,
    responses=problems(
        {
            **CHANGE,
            413: [Code.MATERIAL_TOO_LARGE],
            415: [Code.MATERIAL_TYPE_UNSUPPORTED, KernelCode.UNSUPPORTED_MEDIA_TYPE],
            422: [*GIVING, Code.MATERIAL_UPLOAD_INVALID],
        }
    ),
)
async def upload_material(
    request: AnyRequest,
    application_id: FromPath[RowId],
    storage: NamedDependency[Storage],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[ApplicationView]:
    """Upload a file as one of a draft's materials.

    A multipart form with `material_code` and one `file`. Past the material's size it is a
    413, of a type the material does not take a 415 (told by the file's own first bytes);
    a material that takes no uploads, or has all its files, is a 422."""
    sent = await upload_sent(request.headers.get("content-type"), await request.form())
    view = await materials.upload(
        actor=claims_of(request),
        application_id=application_id,
        material_code=sent.material_code,
        data=sent.data,
        storage=storage,
        expected_version=version_in(if_match),
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view, 201)


@post(
    f"{ONE}/materials/licences",
    operation_id="AttachApplicationLicence",
    guards=RESIDENTS,
    middleware=[idempotent],
    responses=problems(
        {
            **CHANGE,
            403: [Code.LICENCE_CONSENT_REQUIRED, Code.LICENCE_NOT_YOURS],
            422: [*GIVING, Code.APPLICANT_NO_HOME],
        }
    ),
)
async def attach_licence(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[LicenceMaterialIn],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[ApplicationView]:
    """Give one of the caller's electronic licences (电子证照) as a material.

    Only with `consent: true`, and only a licence of the caller's (else a 403). The
    application keeps the licence's reference, hash and the time of consent, never a copy."""
    view = await materials.attach_licence(
        actor=claims_of(request),
        application_id=application_id,
        material_code=data.material_code,
        licence_ref=data.licence_ref,
        consent=data.consent,
        expected_version=version_in(if_match),
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view, 201)


@post(
    f"{ONE}/materials/commitments",
    operation_id="SignApplicationCommitment",
    guards=RESIDENTS,
    middleware=[idempotent],
    responses=problems({**CHANGE, 422: [*GIVING, Code.COMMITMENT_UNSIGNED]}),
)
async def sign_commitment(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[CommitmentIn],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[ApplicationView]:
    """Sign a material's commitment (告知承诺) in place of its proof.

    The statement is kept as the caller read it, in their language, with the time signed."""
    view = await materials.sign_commitment(
        actor=claims_of(request),
        application_id=application_id,
        material_code=data.material_code,
        signed=data.signed,
        expected_version=version_in(if_match),
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view, 201)


@delete(
    f"{ONE}/materials/{{material_id:int}}",
    status_code=200,
    operation_id="RemoveApplicationMaterial",
    guards=RESIDENTS,
    responses=problems({**CHANGE, 404: [Code.APPLICATION_NOT_FOUND, Code.MATERIAL_NOT_FOUND]}),
)
async def remove_material(
    request: AnyRequest,
    application_id: FromPath[RowId],
    material_id: FromPath[RowId],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[ApplicationView]:
    """Take a material off a draft: a wrong file, or to give another in its place."""
    view = await materials.remove_material(
        actor=claims_of(request),
        application_id=application_id,
        material_id=material_id,
        expected_version=version_in(if_match),
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view)


ROUTES = [upload_material, attach_licence, sign_commitment, remove_material]
