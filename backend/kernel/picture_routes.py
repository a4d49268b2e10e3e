"""What a route that takes or gives a photo needs besides `pictures`: its body and answer
as the OpenAPI document shows them (Litestar declares a body only for a typed `data`
parameter or answer, and these take or give bytes), and the answer itself."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Response
from litestar.openapi.spec import (
    Encoding,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

from backend.kernel.pictures import MAX_BYTES, MULTIPART

BINARY = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
_RAW_PHOTO = OpenAPIMediaType(schema=BINARY)

PHOTO_BODY = RequestBody(
    required=True,
    description=(
        f"A JPEG or PNG of at most {MAX_BYTES // (1024 * 1024)} MB: the raw bytes as the body, "
        "or the one file part of a multipart form (named `photo`, `file` or anything else, "
        "with a filename). Its type is told by its own first bytes."
    ),
    content={
        "image/jpeg": _RAW_PHOTO,
        "image/png": _RAW_PHOTO,
        "application/octet-stream": _RAW_PHOTO,
        MULTIPART: OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                properties={"photo": BINARY},
                required=["photo"],
            ),
            encoding={"photo": Encoding(content_type="image/jpeg, image/png")},
        ),
    },
)


@dataclass
class PhotoUpload(Operation):
    """`POST .../photos`: its body is a photo, raw or as a multipart form."""

    def __post_init__(self) -> None:
        self.request_body = PHOTO_BODY


@dataclass
class PhotoImage(Operation):
    """`GET .../photos/{photo_id}`: the photo as the image it is, a JPEG or a PNG."""

    def __post_init__(self) -> None:
        answer = (self.responses or {}).get("200")
        if isinstance(answer, OpenAPIResponse):
            answer.content = {"image/jpeg": _RAW_PHOTO, "image/png": _RAW_PHOTO}


def photo_response(data: bytes, content_type: str) -> Response[bytes]:
    """A kept photo as the answer: nosniff, as a browser must never run a stored file as
    anything but the image it is."""
    return Response(data, media_type=content_type, headers={"X-Content-Type-Options": "nosniff"})
