"""Small real pictures for the photo routes, and an EXIF that carries a phone's position."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825


def picture(kind: str, *, exif: Image.Exif | None = None) -> bytes:
    """A small real picture in `kind` (JPEG or PNG), with `exif` if given."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(out, kind, exif=exif or Image.Exif())
    return out.getvalue()


def with_gps() -> Image.Exif:
    """What a phone writes into a JPEG: its maker, and where it stood."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (34.0, 48.0, 18.0), 3: "E", 4: (113.0, 33.0, 18.0)}
    return exif
