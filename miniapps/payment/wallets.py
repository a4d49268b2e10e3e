"""A resident's wallet (钱包) and a merchant's account: a balance and a statement, newest
first.

An account is opened by the first transfer that moves it; until then it reads as empty,
so that looking at one's wallet never writes anything."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.sdk import ROW_ID_MAX, decode_cursor, encode_cursor, fetch_rows
from miniapps.payment.ledger import TransferKind, account_of
from miniapps.payment.schemas import StatementLine, StatementPage, WalletView


def wallet_holder(user_id: int) -> str:
    return f"wallet:{user_id}"


def merchant_holder(user_id: int) -> str:
    return f"merchant:{user_id}"


async def balance_of(holder: str) -> WalletView:
    rows = await fetch_rows("SELECT balance FROM payment_account WHERE holder = $1", holder)
    return WalletView(balance_fen=int(rows[0]["balance"]) if rows else 0)


async def statement_of(holder: str, *, cursor: str | None, limit: int) -> StatementPage:
    """The account's entries, newest first, a page at a time."""
    # Below the last line of the page before: entry ids only grow. A cursor not of this
    # list is refused whether or not the account has entries yet.
    before = decode_cursor(cursor) if cursor else ROW_ID_MAX
    account = await account_of(holder)
    if account is None:
        return StatementPage(items=[], next_cursor=None)
    rows = await fetch_rows(_STATEMENT, account, before, limit + 1)
    lines = [_line(row) for row in rows[:limit]]
    more = len(rows) > limit
    return StatementPage(
        items=lines, next_cursor=encode_cursor(int(rows[limit - 1]["id"])) if more else None
    )


_STATEMENT = (
    "SELECT e.id, e.transfer_id, e.amount, e.balance_after, e.posted_at, t.kind, t.memo"
    " FROM payment_entry e JOIN payment_transfer t ON t.id = e.transfer_id"
    " WHERE e.account_id = $1 AND e.id < $2 ORDER BY e.id DESC LIMIT $3"
)


def _line(row: Mapping[str, Any]) -> StatementLine:
    return StatementLine(
        transfer_id=int(row["transfer_id"]),
        kind=TransferKind(row["kind"]),
        amount_fen=int(row["amount"]),
        balance_after_fen=int(row["balance_after"]),
        memo=str(row["memo"]),
        posted_at=row["posted_at"],
    )
