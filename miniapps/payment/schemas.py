"""What the payment app's routes answer. Amounts are integers in fen (分): 1 yuan is 100."""

from __future__ import annotations

import datetime as dt

import msgspec

from miniapps.payment.ledger import TransferKind


class WalletView(msgspec.Struct, frozen=True, kw_only=True):
    """The caller's wallet: what it holds, in fen."""

    balance_fen: int
    currency: str = "CNY"


class StatementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a statement: the transfer it belongs to, what moved, what was left."""

    transfer_id: int
    kind: TransferKind
    amount_fen: int  # credited when positive, debited when negative
    balance_after_fen: int
    memo: str
    posted_at: dt.datetime


class StatementPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[StatementLine]
    next_cursor: str | None
