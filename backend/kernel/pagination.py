"""Opaque cursors for keyset pagination: a list ordered by row id pages by the last id shown,
one ordered by a name (an app id) by the last name shown."""

from __future__ import annotations

import base64

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest
from backend.kernel.params import CURSOR_MAX_LENGTH, ROW_ID_MAX, PageLimit

__all__ = ["PageLimit", "decode_cursor", "decode_key_cursor", "encode_cursor", "encode_key_cursor"]


def encode_cursor(last_id: int) -> str:
    return _encode("id", str(last_id))


def decode_cursor(cursor: str) -> int:
    """The row id a cursor of ours names; anything else is a 400, never an id the database
    cannot hold (a bigint past 2^63 - 1 fails in the driver)."""
    value = _decode(cursor, "id")
    if not (value.isascii() and value.isdigit()):
        raise BadRequest(KernelCode.CURSOR_INVALID)
    last_id = int(value)
    if not 1 <= last_id <= ROW_ID_MAX:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    return last_id


def encode_key_cursor(last_key: str) -> str:
    return _encode("key", last_key)


def decode_key_cursor(cursor: str) -> str:
    """The name a key cursor of ours names; anything else, an id cursor too, is a 400."""
    value = _decode(cursor, "key")
    if not value or not value.isprintable():
        raise BadRequest(KernelCode.CURSOR_INVALID)
    return value


def _encode(kind: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def _decode(cursor: str, kind: str) -> str:
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(KernelCode.CURSOR_INVALID) from err
    found, _, value = raw.partition(":")
    if found != kind:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    return value
