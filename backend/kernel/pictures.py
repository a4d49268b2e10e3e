"""Photos sent by residents and workers: JPEG or PNG, at most 5 MB. Each is decoded and
drawn anew, so what is kept is the picture alone: no EXIF (a phone's GPS position of who
took it), and nothing riding in or after the image data (a polyglot that a browser would
run as HTML or a script).

A photo comes as the raw body (`image/jpeg`, `image/png`, or `application/octet-stream`)
or, as mobile SDKs send files, as the one file part of a `multipart/form-data` body (named
`photo`, `file` or anything else). Its type is then told by its own first bytes."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable

import msgspec
from litestar.datastructures import FormMultiDict, UploadFile
from PIL import Image, ImageOps

from backend.kernel.codes import KernelCode
from backend.kernel.errors import FieldError, Unprocessable, UnsupportedMediaType

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 5 MB file can claim far more; decoding that would eat memory
SIGNATURES = {b"\xff\xd8\xff": ("image/jpeg", ".jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", ".png")}
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
_UNREADABLE = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)
MULTIPART = "multipart/form-data"
# What a photo, or its part, may be labelled: its bytes decide between JPEG and PNG. Phones
# label JPEGs `image/jpg` as often as `image/jpeg`; a generic client sends octet-stream.
PICTURE_TYPES = frozenset(
    {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "application/octet-stream"}
)


class Picture(msgspec.Struct, frozen=True, kw_only=True):
    """A photo fit to keep: redrawn, with its type and the file suffix that goes with it."""

    data: bytes
    content_type: str
    suffix: str


async def picture_sent(
    content_type: str | None, body: bytes, form: Callable[[], Awaitable[FormMultiDict]]
) -> bytes:
    """The picture a request carries: its body, when labelled as a picture (or not at all),
    or the one file part of a multipart body (`form` parses it). Another type, of the body
    or of its part, is a 415 naming what was received."""
    kind = _media_type(content_type)
    if not kind or kind in PICTURE_TYPES:
        return body
    if kind != MULTIPART:
        raise _unsupported(kind)
    files = [
        (name, value)
        for name, value in (await form()).multi_items()
        if isinstance(value, UploadFile)
    ]
    try:
        return await _the_one_file(files)
    finally:
        for _, upload in files:  # spooled to disk past 1 MB: let none linger
            await upload.close()


async def clean_picture(data: bytes) -> Picture:
    """The photo in `data` redrawn, or a 422 `photo_invalid`: empty, above 5 MB, neither a
    JPEG nor a PNG by its first bytes, or not decoding as one."""
    if not data or len(data) > MAX_BYTES:
        raise Unprocessable(KernelCode.PHOTO_INVALID)
    content_type, suffix = kind_of(data)
    # Decoding takes tens of milliseconds: off the event loop.
    redrawn_data = await asyncio.to_thread(redrawn, data, content_type)
    return Picture(data=redrawn_data, content_type=content_type, suffix=suffix)


async def _the_one_file(files: list[tuple[str, UploadFile]]) -> bytes:
    if len(files) != 1:
        raise Unprocessable(
            KernelCode.PHOTO_INVALID,
            errors=[
                FieldError(
                    field="photo",
                    message=f"send one file part (with a filename); got {len(files)}",
                )
            ],
        )
    name, upload = files[0]
    # Litestar labels a part that names no type text/plain: read the part's own header.
    labelled = {k.lower(): v for k, v in upload.headers.items()}.get("content-type")
    part_kind = _media_type(labelled)
    if part_kind and part_kind not in PICTURE_TYPES:
        raise _unsupported(part_kind, part=name)
    return await upload.read()


def _media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


def _printable(text: str) -> str:
    """What a client sent, fit to quote back: printable, and short."""
    return "".join(c for c in text if c.isprintable())[:100]


def _unsupported(received: str, *, part: str | None = None) -> UnsupportedMediaType:
    """A 415 naming the type received (and the form part that carried it) and those taken."""
    received = _printable(received)
    extensions = {"received": received, "accepted": [*sorted(PICTURE_TYPES), MULTIPART]}
    if part is not None:
        extensions["part"] = _printable(part)
    return UnsupportedMediaType(
        KernelCode.PHOTO_TYPE_UNSUPPORTED, received=received, extensions=extensions
    )


def kind_of(data: bytes) -> tuple[str, str]:
    """The content type by the file's own first bytes, not by what the client claims."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    raise Unprocessable(KernelCode.PHOTO_INVALID)


def redrawn(data: bytes, content_type: str) -> bytes:
    """The picture in `data` decoded and encoded anew, turned upright as its EXIF said, and
    without the EXIF; a 422 if it does not decode as the type its first bytes claim."""
    try:
        with Image.open(io.BytesIO(data), formats=[FORMATS[content_type]]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise Unprocessable(KernelCode.PHOTO_INVALID)
            image.load()
            upright = ImageOps.exif_transpose(image)
            # What Pillow would write back from the source: a JPEG's comment, an ICC
            # profile. Text of any kind could carry a position or a script.
            upright.info.clear()
            out = io.BytesIO()
            if content_type == "image/jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=90)
            else:
                upright.save(out, "PNG")
    except (*_UNREADABLE, Image.DecompressionBombWarning) as err:
        raise Unprocessable(KernelCode.PHOTO_INVALID) from err
    return out.getvalue()
