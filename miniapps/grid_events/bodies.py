"""The bodies of the routes that read or write theirs by hand, as the OpenAPI document shows
them: Litestar declares a body only for a typed `data` parameter or answer, and these take
or give bytes (a photo; a device's reading, whose exact bytes its signature covers)."""

from __future__ import annotations

from dataclasses import dataclass

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

from miniapps.grid_events.photos import MAX_BYTES, MULTIPART
from miniapps.grid_events.sensors import NO_NUL

_BINARY = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
_RAW_PHOTO = OpenAPIMediaType(schema=_BINARY)

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
                properties={"photo": _BINARY},
                required=["photo"],
            ),
            encoding={"photo": Encoding(content_type="image/jpeg, image/png")},
        ),
    },
)

# `sensors.Reading`; tests/miniapps/grid_events/test_discoverable.py holds the two alike.
READING_BODY = RequestBody(
    required=True,
    description=(
        "The reading as JSON; X-Yimen-Signature signs these exact bytes, so send them as signed."
    ),
    content={
        "application/json": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                properties={
                    "value": Schema(type=OpenAPIType.NUMBER),
                    "unit": Schema(
                        type=OpenAPIType.STRING, max_length=16, pattern=NO_NUL, default=""
                    ),
                },
                required=["value"],
            )
        )
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


@dataclass
class SignedReading(Operation):
    """`POST /sensors/{device}/readings`: its body is the signed JSON of a reading."""

    def __post_init__(self) -> None:
        self.request_body = READING_BODY
