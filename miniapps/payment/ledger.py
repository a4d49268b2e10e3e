"""The double-entry ledger (复式记账): every transfer is one transaction of entries that sum to
zero, each account's balance moves in the same transaction, and no account that may not go
below zero ever does, however many transfers race for it.

The guard is the balance update itself: `balance = balance + delta` only where the result
stays at or above zero (or the account may overdraw). On PostgreSQL that update takes the
row's lock and re-reads the committed balance, so two payments that each fit alone cannot
both pass; on SQLite the write transaction is IMMEDIATE and runs alone. A transfer updates
its accounts in id order, so two transfers over the same accounts never wait on each other
in a cycle (a unit of work that posts several transfers must keep that order itself).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from backend.sdk import (
    Conflict,
    fetch_rows,
    fetch_where_in,
    in_transaction,
    insert_rows,
    unit_of_work,
    utc_now,
)
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.tables import Entry


class TransferKind(enum.StrEnum):
    """Why money moved; a statement shows it."""

    TOP_UP = "top_up"  # 充值
    PAYMENT = "payment"  # 消费
    REFUND = "refund"  # 退款
    VOUCHER = "voucher"  # 消费券补贴
    SETTLEMENT = "settlement"  # 结算
    CORRECTION = "correction"  # 调账


class Leg(NamedTuple):
    """One account's side of a transfer: credited when `amount` > 0, debited when < 0."""

    account_id: int
    amount: int


class Posted(NamedTuple):
    """A transfer as written: its id and each account's balance after it."""

    transfer_id: int
    balances: dict[int, int]


class Unbalanced(ValueError):
    """Legs that do not sum to zero, an amount that is no whole, non-zero fen within
    `MOST_FEN`, a leg on an account that does not exist, or a refund that names no
    original: a bug in the caller, never the caller's customer's fault."""


# No single leg moves more (10 billion yuan), so no balance nears a bigint's bounds.
MOST_FEN = 10**12
MEMO_MOST = 200  # the column's length, which only PostgreSQL enforces
# Transfers that undo or mend another and must name it.
_MENDING = frozenset({"refund", "correction"})


_MOVE = (
    "UPDATE payment_account SET balance = balance + $1"
    " WHERE id = $2 AND (overdraw OR balance + $1 >= 0) RETURNING balance"
)
_MOVE_BACK = "UPDATE payment_account SET balance = balance - $1 WHERE id = $2"
_TRANSFER = (
    "INSERT INTO payment_transfer (kind, refers_to, memo, posted_at)"
    " VALUES ($1, $2, $3, $4) RETURNING id"
)
_ENTRY_COLUMNS = (
    Entry.transfer_id,
    Entry.account_id,
    Entry.amount,
    Entry.balance_after,
    Entry.posted_at,
)


def netted(legs: Iterable[Leg]) -> list[Leg]:
    """The legs with one per account (their amounts added), in account order, refused
    unless every amount is a whole number of fen and they sum to zero."""
    by_account: defaultdict[int, int] = defaultdict(int)
    for leg in legs:
        if type(leg.amount) is not int or not 0 < abs(leg.amount) <= MOST_FEN:
            raise Unbalanced(f"an amount must be a non-zero integer of fen: {leg.amount!r}")
        by_account[leg.account_id] += leg.amount
    if sum(by_account.values()) != 0:
        raise Unbalanced(f"the legs sum to {sum(by_account.values())} fen, not zero")
    moved = [Leg(account, amount) for account, amount in sorted(by_account.items()) if amount]
    if not moved:
        raise Unbalanced("a transfer must move money")
    return moved


async def post_transfer(
    *, kind: TransferKind, legs: Sequence[Leg], refers_to: int | None = None, memo: str = ""
) -> Posted:
    """Write one transfer: every leg's entry and balance, or (the balance of an account that
    may not overdraw would fall below zero: `insufficient_funds`) nothing at all. Joins the
    caller's unit of work if there is one, so that its own writes and events share the
    transaction; a refused transfer leaves none of its writes in it."""
    moved = netted(legs)
    if len(memo) > MEMO_MOST:
        raise Unbalanced(f"a memo holds at most {MEMO_MOST} characters")
    joined = in_transaction()
    async with unit_of_work():
        if (kind in _MENDING) != (refers_to is not None):
            raise Unbalanced(f"a {kind} transfer names the transfer it mends, and only it")
        if refers_to is not None:
            await _existing(refers_to)
        balances = await _move_all(moved, joined=joined)
        now = utc_now()  # after the locks: entry ids and times grow together
        rows = await fetch_rows(_TRANSFER, str(kind), refers_to, memo, now)
        transfer_id = int(rows[0]["id"])
        entries = [
            (transfer_id, leg.account_id, leg.amount, balances[leg.account_id], now)
            for leg in moved
        ]
        await insert_rows(Entry, _ENTRY_COLUMNS, entries)
    return Posted(transfer_id, balances)


async def _move_all(moved: Sequence[Leg], *, joined: bool) -> dict[int, int]:
    """Each leg's balance after it. Inside a caller's transaction, a leg refused after
    others have moved takes those back before the refusal goes on (the rows are locked by
    this transaction, so the sums come back exact): no balance stays changed without its
    entry, and the common case pays for no savepoint."""
    balances: dict[int, int] = {}
    try:
        for leg in moved:
            balances[leg.account_id] = await _move(leg)
    except (Conflict, Unbalanced):
        if joined:
            for leg in moved:
                if leg.account_id in balances:
                    await fetch_rows(_MOVE_BACK, leg.amount, leg.account_id)
        raise
    return balances


async def _move(leg: Leg) -> int:
    rows = await fetch_rows(_MOVE, leg.amount, leg.account_id)
    if rows:
        return int(rows[0]["balance"])
    if not await fetch_rows("SELECT id FROM payment_account WHERE id = $1", leg.account_id):
        raise Unbalanced(f"no account {leg.account_id}")
    raise Conflict(PaymentProblem.INSUFFICIENT_FUNDS)


async def _existing(transfer_id: int) -> None:
    if not await fetch_rows("SELECT id FROM payment_transfer WHERE id = $1", transfer_id):
        raise Unbalanced(f"no transfer {transfer_id} to mend")


async def open_account(holder: str, *, overdraw: bool = False) -> int:
    """The id of `holder`'s account, opened (empty) if it has none yet. Only a platform
    account may overdraw, and an account's leave to overdraw never changes."""
    if overdraw and not holder.startswith("platform:"):
        raise Unbalanced(f"{holder} may not overdraw: only a platform account may")
    rows = await fetch_rows("SELECT id, overdraw FROM payment_account WHERE holder = $1", holder)
    if rows:
        if bool(rows[0]["overdraw"]) != overdraw:
            raise Unbalanced(f"{holder} was opened with overdraw={not overdraw}")
        return int(rows[0]["id"])
    await fetch_rows(
        "INSERT INTO payment_account (holder, balance, overdraw, opened_at)"
        " VALUES ($1, 0, $2, $3) ON CONFLICT (holder) DO NOTHING",
        holder,
        overdraw,
        utc_now(),
    )
    opened = await account_of(holder)
    assert opened is not None
    return opened


async def accounts_of(*holders: str) -> dict[str, int]:
    """The ids of those of `holders` that have an account, in one statement."""
    rows = await fetch_where_in("SELECT holder, id FROM payment_account", "holder", holders)
    return {str(row["holder"]): int(row["id"]) for row in rows}


async def account_of(holder: str) -> int | None:
    rows = await fetch_rows("SELECT id FROM payment_account WHERE holder = $1", holder)
    return int(rows[0]["id"]) if rows else None


class Mismatch(NamedTuple):
    """An account whose balance is not what its entries add up to."""

    account_id: int
    holder: str
    balance: int
    entries: int


async def mismatched_accounts() -> list[Mismatch]:
    """Every account whose kept balance differs from the sum of its entries: none, in a
    ledger that has only ever been written by `post_transfer`."""
    rows = await fetch_rows(
        "SELECT a.id, a.holder, a.balance, COALESCE(SUM(e.amount), 0) AS entries"
        " FROM payment_account a LEFT JOIN payment_entry e ON e.account_id = a.id"
        " GROUP BY a.id, a.holder, a.balance"
        " HAVING a.balance <> COALESCE(SUM(e.amount), 0) ORDER BY a.id"
    )
    return [
        Mismatch(int(r["id"]), str(r["holder"]), int(r["balance"]), int(r["entries"])) for r in rows
    ]


async def ledger_total() -> int:
    """The sum of every entry ever written: zero, in a ledger of balanced transfers."""
    rows = await fetch_rows("SELECT COALESCE(SUM(amount), 0) AS total FROM payment_entry")
    return int(rows[0]["total"])


__all__ = [
    "MOST_FEN",
    "Leg",
    "Mismatch",
    "Posted",
    "TransferKind",
    "Unbalanced",
    "account_of",
    "ledger_total",
    "mismatched_accounts",
    "netted",
    "open_account",
    "post_transfer",
]
