"""The body of a material's upload, read by hand: a `multipart/form-data` form with the
material's code and one file, as mobile SDKs send files. The OpenAPI document is told its
shape here, since Litestar declares a body only for a typed `data` parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar.datastructures import FormMultiDict, UploadFile
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

from backend.sdk import FieldError, KernelCode, Unprocessable, UnsupportedMediaType
from miniapps.gov_services.document.model import MAX_MATERIAL_BYTES
from miniapps.gov_services.errors import GovServicesCode

MULTIPART = "multipart/form-data"
# The largest file any material may take, and room for the form around it: each material's
# own limit is checked after reading.
MAX_UPLOAD_BODY = MAX_MATERIAL_BYTES + 64 * 1024
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True)
class UploadSent:
    material_code: str
    data: bytes


async def upload_sent(content_type: str | None, parts: FormMultiDict) -> UploadSent:
    """The material's code and the one file of a multipart upload (`parts`, as the request
    parsed it); a 415 for another body, a 422 naming the part for a form without both."""
    files = [value for _, value in parts.multi_items() if isinstance(value, UploadFile)]
    try:
        if (content_type or "").partition(";")[0].strip().lower() != MULTIPART:
            raise UnsupportedMediaType(
                KernelCode.UNSUPPORTED_MEDIA_TYPE, extensions={"accepted": [MULTIPART]}
            )
        code = parts.get("material_code")
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise _invalid("material_code", "the material's code, as the item names it")
        if len(files) != 1:
            raise _invalid("file", f"send one file part (with a filename); got {len(files)}")
        return UploadSent(material_code=code, data=await files[0].read())
    finally:
        for upload in files:  # spooled to disk past 1 MB: let none linger
            await upload.close()


def _invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(
        GovServicesCode.MATERIAL_UPLOAD_INVALID, errors=[FieldError(field=field, message=message)]
    )


UPLOAD_BODY = RequestBody(
    required=True,
    description=(
        "A multipart form: `material_code`, the material as the item's document names it, "
        "and `file`, one file. Its type is told by its own first bytes (PDF, JPEG, PNG); "
        "each material names the types and the size it takes."
    ),
    content={
        MULTIPART: OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                properties={
                    "material_code": Schema(type=OpenAPIType.STRING, pattern=f"^{_CODE.pattern}$"),
                    "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                },
                required=["material_code", "file"],
            )
        )
    },
)


@dataclass
class MaterialUpload(Operation):
    """`POST .../materials/files`: its body is a multipart form with one file."""

    def __post_init__(self) -> None:
        self.request_body = UPLOAD_BODY
