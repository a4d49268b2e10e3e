"""Opaque cursors for keyset pagination: a page names the sort key of its last item, and the
next page starts after it, however many rows were added or removed before it.

A list ordered by row id uses `encode_cursor`/`decode_cursor`. A list ordered by more (a
time and then an id, a name) declares its key as a msgspec Struct (`array_like=True`, so the
cursor stays short; `forbid_unknown_fields=True`, so another list's key is refused) whose
fields bound their values, and uses `encode_position`/`decode_position`."""

from __future__ import annotations

import base64
from typing import TypeVar

import msgspec

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest, FieldError
from backend.kernel.params import CURSOR_MAX_LENGTH, ROW_ID_MAX, PageCursor, PageLimit

__all__ = [
    "PageCursor",
    "PageLimit",
    "decode_cursor",
    "decode_position",
    "encode_cursor",
    "encode_position",
]

Position = TypeVar("Position", bound=msgspec.Struct)


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor of ours names; anything else is a 400 naming the `cursor`
    parameter, never an id the database cannot hold (a bigint past 2^63 - 1 fails in the
    driver)."""
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise _refused()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as err:
        raise _refused() from err
    kind, _, value = raw.partition(":")
    if kind != "id" or not (value.isascii() and value.isdigit()):
        raise _refused()
    last_id = int(value)
    if not 1 <= last_id <= ROW_ID_MAX:
        raise _refused()
    return last_id


def encode_position(position: msgspec.Struct) -> str:
    """The cursor of a page whose last item has the sort key `position`."""
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def decode_position(cursor: str, kind: type[Position]) -> Position:
    """The sort key a cursor of ours names, as a `kind`; anything else (not ours, of another
    list, out of the bounds `kind` declares) is a 400 naming the `cursor` parameter."""
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise _refused()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=kind)
    except (ValueError, msgspec.MsgspecError) as err:
        raise _refused() from err


def _refused() -> BadRequest:
    culprit = FieldError(field="cursor", message="not a next_cursor this list gave")
    return BadRequest(KernelCode.CURSOR_INVALID, errors=[culprit])
