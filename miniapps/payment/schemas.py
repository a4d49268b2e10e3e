"""What the payment app's routes answer. Amounts are integers in fen (分): 1 yuan is 100."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from backend.sdk import AwareDatetime
from miniapps.payment.categories import MerchantCategory
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


# The length too: a pattern's `$` also passes a trailing newline.
PIN = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]{6}$", min_length=6, max_length=6, description="six digits")
]


class PaymentView(msgspec.Struct, frozen=True, kw_only=True):
    """A payment from a resident's wallet to a merchant: `method` is payer_code,
    collection_code, or charge (another mini-app asked for it). `status` is paid, awaiting_payer
    (the payer must confirm with their PIN before `expires_at`) or closed (they did not).
    `refunded_fen` is what the merchant gave back of it so far, at most what the payer
    paid."""

    id: int
    amount_fen: int
    refunded_fen: int
    subsidy_fen: int  # what a voucher paid of `amount_fen`; the wallet paid the rest
    method: str
    status: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    expires_at: dt.datetime | None
    purpose: str = ""  # what a charge another mini-app asked for is for (method `charge`)


class PinIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new payment PIN. To change one, `current_pin` is the PIN now; without it (the
    first PIN, or one forgotten) a login by one-time code in the last five minutes is
    needed."""

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


DISTRICT_PATH = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}$", max_length=120)
]


class TierIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One face value of a campaign: spend at least `min_spend_fen`, `face_value_fen` off;
    `count` such vouchers."""

    face_value_fen: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    min_spend_fen: Annotated[int, msgspec.Meta(ge=1, le=TOP_UP_MOST)]
    count: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]


class CampaignIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A voucher campaign: its tiers, who may claim (residents living in `districts`, all
    when empty; of at least `min_age` when set, read off their identity card), when they
    claim, where they spend (merchants of `merchant_categories`) and until when."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    tiers: Annotated[list[TierIn], msgspec.Meta(min_length=1, max_length=10)]
    districts: Annotated[list[DISTRICT_PATH], msgspec.Meta(max_length=50)] = []
    min_age: Annotated[int, msgspec.Meta(ge=0, le=150)] | None = None
    merchant_categories: Annotated[list[MerchantCategory], msgspec.Meta(min_length=1)]
    claim_opens_at: AwareDatetime
    claim_closes_at: AwareDatetime
    spend_until: AwareDatetime


class TierView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    face_value_fen: int
    min_spend_fen: int
    count: int
    left: int  # not held by anyone now: claimable while claims are open


class CampaignView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    districts: list[str]
    min_age: int | None
    merchant_categories: list[str]
    claim_opens_at: dt.datetime
    claim_closes_at: dt.datetime
    spend_until: dt.datetime
    tiers: list[TierView]


class ClaimIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which of the campaign's tiers to claim a voucher of."""

    tier_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class VoucherView(msgspec.Struct, frozen=True, kw_only=True):
    """A resident's voucher: issued (spendable until `valid_until`), spent, or expired."""

    id: int
    campaign_id: int
    face_value_fen: int
    min_spend_fen: int
    status: str
    claimed_at: dt.datetime
    valid_until: dt.datetime


class CategoryIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A merchant's trade, as voucher campaigns name it."""

    category: MerchantCategory


class CampaignList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[CampaignView]


class VoucherList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[VoucherView]


class DiscrepancyView(msgspec.Struct, frozen=True, kw_only=True):
    """A finding of the daily reconciliation: of which city day, what kind (account_balance,
    ledger_total, top_up_not_settled, top_up_unknown, top_up_not_credited, top_up_amount,
    top_up_credit), about what, and what was seen."""

    id: int
    day: str
    kind: str
    subject: str
    detail: str
    found_at: dt.datetime


class DiscrepancyList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[DiscrepancyView]


class SettlementAccountIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The bank account a merchant's balance is settled to: the bank's name, the account
    holder's name as the bank knows it, and the account number (8 to 30 digits)."""

    bank: Annotated[str, msgspec.Meta(min_length=2, max_length=40)]
    account_name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    account_number: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{8,30}$")]


class SettlementAccountView(msgspec.Struct, frozen=True, kw_only=True):
    """A merchant's settlement account, its number shown by its last four digits only."""

    bank: str
    account_name: str
    number_tail: str
    set_at: dt.datetime


class SettlementView(msgspec.Struct, frozen=True, kw_only=True):
    """One day's settlement (T+1): what the merchant's account held as the city `day`
    ended, paid to their bank account. `status` is pending (asked of the bank), paid, or
    returned (the bank refused it, and the money is back on the account)."""

    id: int
    day: str
    amount_fen: int
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class SettlementList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[SettlementView]
