"""Sample values of an outside organisation's registration, with no part of the suite's
fixtures: the third-party server's process uses them too."""

from __future__ import annotations

import base64
import struct
import zlib

# 统一社会信用代码 whose check characters are right: the standard's own example, and two
# made up for the tests.
CREDIT_CODES = ("91350100M000100Y43", "91410100MA44ABCD1F", "91410100MA44ABCD2J")


def png(width: int, height: int | None = None) -> bytes:
    """A real PNG of `width` by `height` black pixels."""
    height = width if height is None else height
    rows = b"".join(b"\x00" + b"\x00" * width * 3 for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def icon(side: int = 96) -> str:
    return base64.b64encode(png(side)).decode()
