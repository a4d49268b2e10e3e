"""fetch_rows(): one statement written for PostgreSQL runs the same on SQLite."""

from __future__ import annotations

from backend.kernel.db import fetch_rows


async def test_a_dollar_sign_inside_a_string_literal_is_text_on_both_engines() -> None:
    # fetch_rows is in the SDK; a literal holding "$1" must read back as written, as it
    # does on PostgreSQL, not be rewritten to "?1" on SQLite.
    rows = await fetch_rows("SELECT 'costs $1' AS v, $1 AS w", "x")
    assert (rows[0]["v"], rows[0]["w"]) == ("costs $1", "x")
