"""The file of an uploaded material, for the staff who handle its case: what they review
before they accept or decide. Licences and commitments have no file: the case view shows
their reference and hash."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromPath

from backend.sdk import (
    AnyRequest,
    Claims,
    Forbidden,
    NotFound,
    RowId,
    Storage,
    audit,
    claims_of,
    problems,
    requires_role,
)
from miniapps.gov_services.allowed import may_see
from miniapps.gov_services.cases import case_by_id
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.tables import MaterialItem
from miniapps.gov_services.worklist import WORK_ROLES

_RAW = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
FILE_TYPES = ("image/jpeg", "image/png", "application/pdf")


@dataclass
class MaterialFile(Operation):
    """`GET …/materials/{material_id}/file`: the file as it was uploaded."""

    def __post_init__(self) -> None:
        answer = (self.responses or {}).get("200")
        if isinstance(answer, OpenAPIResponse):
            answer.content = dict.fromkeys(FILE_TYPES, _RAW)


async def material_file(
    *, actor: Claims, application_id: int, material_id: int, storage: Storage
) -> tuple[bytes, str]:
    """The bytes and type of an uploaded material, for one who may see its case (else a
    403); a material of another case, or one that is no file, is not found. The applicant's
    documents are personal data: each read is audited."""
    case = await case_by_id(application_id)
    if not may_see(actor, case):
        raise Forbidden(Code.APPLICATION_OUTSIDE_SCOPE)
    row = (
        await MaterialItem.select(MaterialItem.file_key, MaterialItem.mime)
        .where(
            (MaterialItem.id == material_id)
            & (MaterialItem.application_id == application_id)
            & MaterialItem.file_key.is_not_null()
        )
        .first()
    )
    if row is None:
        raise NotFound(Code.MATERIAL_NOT_FOUND)
    try:
        data = await storage.get(row["file_key"])
    except FileNotFoundError as err:
        raise NotFound(Code.MATERIAL_NOT_FOUND) from err
    detail = {"ref": case["ref_no"], "material_id": material_id}
    await audit(actor, "gov_services.read_material", case["applicant_id"], detail)
    return data, row["mime"]


@get(
    "/work/{application_id:int}/materials/{material_id:int}/file",
    operation_id="GetWorkMaterialFile",
    operation_class=MaterialFile,
    guards=[requires_role(*WORK_ROLES)],
    responses=problems(
        {
            404: [Code.APPLICATION_NOT_FOUND, Code.MATERIAL_NOT_FOUND],
            403: [Code.APPLICATION_OUTSIDE_SCOPE],
        }
    ),
)
async def get_material_file(
    request: AnyRequest,
    application_id: FromPath[RowId],
    material_id: FromPath[RowId],
    storage: NamedDependency[Storage],
) -> Response[bytes]:
    """The file of one uploaded material of a case.

    For those who may see the case (its step's role over its org, or the approver of its
    extension). Each read is audited."""
    data, mime = await material_file(
        actor=claims_of(request),
        application_id=application_id,
        material_id=material_id,
        storage=storage,
    )
    # nosniff: a browser must never run a stored file as anything but the type it was taken as
    return Response(data, media_type=mime, headers={"X-Content-Type-Options": "nosniff"})
