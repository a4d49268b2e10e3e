"""Cursors: what a client sends back is a client's text, bounded before it reaches a query."""

from __future__ import annotations

import base64

import pytest

from backend.kernel.errors import BadRequest
from backend.kernel.pagination import (
    decode_cursor,
    decode_key_cursor,
    encode_cursor,
    encode_key_cursor,
)
from backend.kernel.params import ROW_ID_MAX


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_a_cursor_names_the_row_it_was_made_for() -> None:
    assert decode_cursor(encode_cursor(42)) == 42
    assert decode_cursor(encode_cursor(ROW_ID_MAX)) == ROW_ID_MAX


@pytest.mark.parametrize(
    "raw",
    [
        f"id:{ROW_ID_MAX + 1}",
        "id:" + "9" * 150,
        "id:0",
        "id:-1",
        "id: 7",
        "id:1_000",
        "id:١٢",
        "id:",
        "x:1",
    ],
)
def test_a_cursor_outside_the_ids_is_refused(raw: str) -> None:
    with pytest.raises(BadRequest) as refused:
        decode_cursor(_cursor(raw))
    assert refused.value.code == "cursor_invalid"


@pytest.mark.parametrize("cursor", ["!!", "A" * 201, "\x00", "\u00e9"])
def test_a_cursor_that_is_not_ours_is_refused(cursor: str) -> None:
    with pytest.raises(BadRequest):
        decode_cursor(cursor)


@pytest.mark.parametrize("key", ["manhole_cover", "a", "井盖", "x" * 100])
def test_a_key_cursor_names_the_key_it_was_made_for(key: str) -> None:
    assert decode_key_cursor(encode_key_cursor(key)) == key


@pytest.mark.parametrize(
    "raw", ["key:", "id:7", "keys:a", "key:a\x00b", "key:" + "x" * 101, "manhole_cover"]
)
def test_a_key_cursor_of_another_kind_or_too_long_is_refused(raw: str) -> None:
    with pytest.raises(BadRequest) as refused:
        decode_key_cursor(_cursor(raw))
    assert refused.value.code == "cursor_invalid"


def test_an_id_cursor_is_no_key_cursor_and_back() -> None:
    with pytest.raises(BadRequest):
        decode_cursor(encode_key_cursor("7"))
    with pytest.raises(BadRequest):
        decode_key_cursor(encode_cursor(7))
