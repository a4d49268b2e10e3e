"""The QR image of a code the resident's phone shows."""

from __future__ import annotations

import asyncio
import io

import qrcode
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathImage

QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


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
