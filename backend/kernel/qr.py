"""The QR image of a code: a health code, a place's code, a merchant's collection code."""

from __future__ import annotations

import asyncio
import io
from typing import Annotated

import qrcode
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import KwargDefinition
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathImage

QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M

# A QR image as the OpenAPI document declares it: `format: binary` under the image's media
# type (the route's `media_type`), so that a generated client hands back the bytes instead of
# decoding the image as JSON.
QrImage = Annotated[bytes, KwargDefinition(format=OpenAPIFormat.BINARY)]


def render_qr(text: str, *, svg: bool) -> bytes:
    """The QR of a code; 15–30 ms of CPU, so call it through `render_qr_off_loop`."""
    code = qrcode.QRCode(
        error_correction=QR_ERROR_CORRECTION,
        image_factory=SvgPathImage if svg else PyPNGImage,
        border=2,
    )
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


async def render_qr_off_loop(text: str, *, svg: bool) -> bytes:
    return await asyncio.to_thread(render_qr, text, svg=svg)
