"""Opaque cursors for keyset pagination: the last row id a page showed, or the last key of a
list ordered by a text key (a catalogue by its codes)."""

from __future__ import annotations

import base64

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest
from backend.kernel.params import CURSOR_MAX_LENGTH, ROW_ID_MAX, PageLimit

__all__ = ["PageLimit", "decode_cursor", "decode_key_cursor", "encode_cursor", "encode_key_cursor"]

KEY_MAX_LENGTH = 100  # base64 of "key:" and 100 bytes stays within CURSOR_MAX_LENGTH


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor of ours names; anything else is a 400, never an id the database
    cannot hold (a bigint past 2^63 - 1 fails in the driver)."""
    kind, value = _decoded(cursor)
    if kind != "id" or not (value.isascii() and value.isdigit()):
        raise BadRequest(KernelCode.CURSOR_INVALID)
    last_id = int(value)
    if not 1 <= last_id <= ROW_ID_MAX:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    return last_id


def encode_key_cursor(last_key: str) -> str:
    """The cursor after `last_key` in a list ordered by a text key of at most 100 bytes."""
    if len(last_key.encode()) > KEY_MAX_LENGTH:
        raise ValueError(f"a cursor's key is at most {KEY_MAX_LENGTH} bytes")
    return base64.urlsafe_b64encode(f"key:{last_key}".encode()).decode().rstrip("=")


def decode_key_cursor(cursor: str) -> str:
    """The key a cursor of `encode_key_cursor` names; anything else is a 400."""
    kind, value = _decoded(cursor)
    if kind != "key" or not value or len(value.encode()) > KEY_MAX_LENGTH or "\x00" in value:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    return value


def _decoded(cursor: str) -> tuple[str, str]:
    """The kind and value of a cursor of ours, or a 400."""
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise BadRequest(KernelCode.CURSOR_INVALID)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(KernelCode.CURSOR_INVALID) from err
    kind, _, value = raw.partition(":")
    return kind, value
