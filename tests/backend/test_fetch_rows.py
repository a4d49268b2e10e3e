"""fetch_rows(): one statement written for PostgreSQL runs the same on SQLite; and
fetch_where_in(), the rows whose key is one of a list; side_by_side(), reads asked at once
that a transaction takes in turn."""

from __future__ import annotations

from backend.directory.users.tables import UserAccount
from backend.kernel.db import fetch_rows, fetch_where_in, transaction
from backend.kernel.read_together import side_by_side


async def test_a_dollar_sign_inside_a_string_literal_is_text_on_both_engines() -> None:
    # fetch_rows is in the SDK; a literal holding "$1" must read back as written, as it
    # does on PostgreSQL, not be rewritten to "?1" on SQLite.
    rows = await fetch_rows("SELECT 'costs $1' AS v, $1 AS w", "x")
    assert (rows[0]["v"], rows[0]["w"]) == ("costs $1", "x")


async def test_rows_where_in_a_list_each_key_once_in_the_order_asked(demo: None) -> None:
    accounts = await UserAccount.select(UserAccount.id).order_by(UserAccount.id).limit(3)
    ids = [account["id"] for account in accounts]
    select = f"SELECT id, name FROM {UserAccount._meta.tablename}"
    # Three keys, one twice and one with no row: padded to four, each row once, newest first.
    rows = await fetch_where_in(select, "id", [*ids, ids[0], 10**9], then="ORDER BY id DESC")
    assert [row["id"] for row in rows] == ids[::-1]
    alone = await fetch_where_in(select, "id", ids[1:2])
    assert [row["id"] for row in alone] == ids[1:2]
    assert await fetch_where_in(select, "id", []) == []


async def test_reads_side_by_side_in_a_transaction_take_its_connection_in_turn() -> None:
    # A transaction's one connection runs one statement at a time: asked at once, the
    # second read would be refused there ("another operation is in progress").
    async with transaction():
        answers = await side_by_side(*(fetch_rows(f"SELECT {n} AS n") for n in range(3)))
    assert [rows[0]["n"] for rows in answers] == [0, 1, 2]
