"""A photo is kept as the picture alone: whatever text the file carried beside the pixels
(EXIF with its GPS position, a JPEG comment, an ICC profile, PNG text chunks) is gone."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from backend.kernel.errors import Unprocessable
from backend.kernel.pictures import clean_picture
from tests.pictures import picture, with_gps

SECRET = b"<script>alert(1)</script> GPS 34.8051N 113.5552E"


def _jpeg(**extra: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (1, 2, 3)).save(out, "JPEG", **extra)
    return out.getvalue()


def _png_with_text() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SECRET.decode())
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (1, 2, 3)).save(out, "PNG", pnginfo=text)
    return out.getvalue()


@pytest.mark.parametrize(
    "sent",
    [
        _jpeg(comment=SECRET),
        _jpeg(exif=with_gps(), comment=SECRET),
        _jpeg(icc_profile=SECRET * 4),
        _png_with_text(),
    ],
    ids=["jpeg-comment", "jpeg-exif-and-comment", "jpeg-icc-profile", "png-text"],
)
async def test_only_the_pixels_are_kept(sent: bytes) -> None:
    assert SECRET[:20] in sent or b"PhoneMaker" in sent
    kept = await clean_picture(sent)
    assert SECRET[:20] not in kept.data
    assert b"PhoneMaker" not in kept.data
    image = Image.open(io.BytesIO(kept.data))
    assert (image.size, dict(image.getexif()), image.info.get("comment")) == ((32, 24), {}, None)


async def test_what_is_not_a_jpeg_or_png_is_refused() -> None:
    with pytest.raises(Unprocessable):
        await clean_picture(b"GIF89a" + picture("PNG"))
