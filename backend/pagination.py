"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64

from backend.errors import BadRequest, register_messages
from backend.params import CURSOR_MAX_LENGTH, PageLimit

register_messages({"cursor_invalid": ("分页游标无效", "The cursor is not valid")})

__all__ = ["PageLimit", "decode_cursor", "encode_cursor"]


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise BadRequest("cursor_invalid")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest("cursor_invalid") from err
