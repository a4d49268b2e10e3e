"""What the payment app's routes answer. Amounts are integers in fen (分): 1 yuan is 100."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

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


TOP_UP_MOST = 500_000  # fen: 5,000 yuan a top-up


class TopUpIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How much to pay into one's wallet, in fen."""

    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=TOP_UP_MOST)]


class TopUpView(msgspec.Struct, frozen=True, kw_only=True):
    """A top-up order: `out_trade_no` is what the channel's payment page is opened with;
    `status` is created until the channel tells, then paid or failed, or closed if it
    never does."""

    id: int
    amount_fen: int
    status: str
    out_trade_no: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class NoticeTaken(msgspec.Struct, frozen=True, kw_only=True):
    """The answer the channel waits for: the order's status now."""

    out_trade_no: str
    status: str


class PayerDeviceView(msgspec.Struct, frozen=True, kw_only=True):
    """What the phone keeps to show payer codes offline: shown once, at enrolment. A code is
    `prefix` + `payer_number` + the time code of the `step_seconds` step + a Luhn digit."""

    payer_number: str
    secret: str  # base64 of 32 bytes: the HMAC key of the time codes
    prefix: str
    step_seconds: int


class CollectIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The payer code the merchant's scanner read, and how much to take, in fen."""

    code: Annotated[str, msgspec.Meta(max_length=32)]
    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=TOP_UP_MOST)]


class CollectedView(msgspec.Struct, frozen=True, kw_only=True):
    """A payment the merchant collected."""

    id: int
    amount_fen: int
    status: str
    paid_at: dt.datetime
