"""Cursors: what a client sends back is a client's text, bounded before it reaches a query."""

from __future__ import annotations

import base64

import pytest

from backend.kernel.enablement.service import AppPosition
from backend.kernel.errors import BadRequest
from backend.kernel.pagination import decode_cursor, decode_position, encode_cursor, encode_position
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


def test_a_position_cursor_names_the_key_it_was_made_for() -> None:
    cursor = encode_position(AppPosition("health_code"))
    assert decode_position(cursor, AppPosition) == AppPosition("health_code")


@pytest.mark.parametrize("raw", ['[""]', '["a","b"]', "[7]", '"health_code"', "id:7", "[]"])
def test_a_position_cursor_that_is_not_ours_is_refused(raw: str) -> None:
    with pytest.raises(BadRequest) as refused:
        decode_position(_cursor(raw), AppPosition)
    assert refused.value.code == "cursor_invalid"


def test_a_position_cursor_is_no_id_cursor() -> None:
    with pytest.raises(BadRequest):
        decode_cursor(encode_position(AppPosition("7")))
