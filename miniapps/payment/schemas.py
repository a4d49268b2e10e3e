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


PIN = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$", description="six digits")]


class PaymentView(msgspec.Struct, frozen=True, kw_only=True):
    """A payment from a resident's wallet to a merchant. `status` is paid, awaiting_payer
    (the payer must confirm with their PIN before `expires_at`) or closed (they did not).
    `refunded_fen` is what the merchant gave back of it so far."""

    id: int
    amount_fen: int
    refunded_fen: int
    method: str
    status: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    expires_at: dt.datetime | None


class PinIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new payment PIN. To change one, `current_pin` is the PIN now; without it (the PIN
    is forgotten) a login by one-time code in the last five minutes is needed."""

    pin: PIN
    current_pin: PIN | None = None


class ConfirmIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The payer's PIN, confirming a payment that awaits them."""

    pin: PIN


class CollectionCodeView(msgspec.Struct, frozen=True, kw_only=True):
    """A merchant's collection code (收款码): the text its QR carries. It does not change, so
    it can be printed; it names no account."""

    code: str


class PayByCodeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A merchant's collection code as scanned, the amount the payer typed, in fen, and the
    payer's PIN."""

    code: Annotated[str, msgspec.Meta(max_length=64)]
    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=TOP_UP_MOST)]
    pin: PIN


class RefundIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How much of a payment to give back, in fen: all of it or a part."""

    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=TOP_UP_MOST)]


class RefundView(msgspec.Struct, frozen=True, kw_only=True):
    """A refund given, and what the payment has had back in all."""

    id: int
    payment_id: int
    amount_fen: int
    refunded_fen: int
    created_at: dt.datetime
