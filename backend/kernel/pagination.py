"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest
from backend.kernel.params import CURSOR_MAX_LENGTH, ROW_ID_MAX, PageCursor, PageLimit

__all__ = ["PageCursor", "PageLimit", "decode_cursor", "encode_cursor"]


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor of ours names; anything else is a 400, never an id the database
    cannot hold (a bigint past 2^63 - 1 fails in the driver)."""
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(KernelCode.CURSOR_INVALID) from err
    kind, _, value = raw.partition(":")
    if kind != "id" or not (value.isascii() and value.isdigit()):
        raise BadRequest(KernelCode.CURSOR_INVALID)
    last_id = int(value)
    if not 1 <= last_id <= ROW_ID_MAX:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    return last_id
