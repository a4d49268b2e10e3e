"""What the routes of home care services (居家养老服务) take and give."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from backend.sdk import AwareDatetime, BodyRowId
from miniapps.elderly_care.schemas import OrgPath, Worker

Fen = Annotated[int, msgspec.Meta(ge=0, le=500_000, description="An amount in fen (分).")]


class ServiceKind(enum.StrEnum):
    MEALS = "meals"  # 助餐
    CLEANING = "cleaning"  # 助洁
    BATHING = "bathing"  # 助浴
    MEDICAL_VISIT = "medical_visit"  # 助医
    COMPANIONSHIP = "companionship"  # 陪伴


class CareServiceIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    community: OrgPath
    kind: ServiceKind
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"\S")]
    provider_id: Annotated[
        BodyRowId, msgspec.Meta(description="The merchant who gives the service and is paid.")
    ]
    price_fen: Fen
    minutes: Annotated[int, msgspec.Meta(ge=15, le=480, description="How long a visit takes.")]


class CareServiceView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    community: str
    kind: ServiceKind
    name: str
    provider: Worker
    price_fen: int
    minutes: int


class CareServiceList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[CareServiceView]


class SlotIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    starts_at: AwareDatetime
    capacity: Annotated[int, msgspec.Meta(ge=1, le=50, description="Bookings it takes.")]


class SlotView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    service_id: int
    starts_at: dt.datetime
    capacity: int
    left: int


class SlotList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[SlotView]


class BookingStatus(enum.StrEnum):
    REQUESTED = "requested"  # waiting for the provider (and, if it costs money, the payer)
    CONFIRMED = "confirmed"
    IN_SERVICE = "in_service"
    DONE = "done"
    CANCELLED = "cancelled"


class Payment(enum.StrEnum):
    NONE = "none"  # nothing to pay: free, or the subsidy paid it all
    AWAITING_PAYER = "awaiting_payer"
    PAID = "paid"
    WAIVED = "waived"  # no payment app installed, and the city lets bookings go free
    REFUNDED = "refunded"
    # Cancelled after the provider's takings were settled to their bank: they owe it back.
    REFUND_OWED = "refund_owed"
    CLOSED = "closed"  # not paid in time, or cancelled before it was


class BookingIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    slot_id: BodyRowId


class CancelIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class RatingIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    stars: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class BookingView(msgspec.Struct, frozen=True, kw_only=True):
    """A booking. `subsidy_fen` is what the elder's allowance paid, `charge_fen` what is
    charged to the booker's wallet; `pay_link` opens the charge where they confirm it."""

    id: int
    elder_id: int
    service: CareServiceView
    starts_at: dt.datetime
    status: BookingStatus
    booked_by: Worker
    on_behalf: bool
    price_fen: int
    subsidy_fen: int
    charge_fen: int
    payment: Payment
    pay_link: str | None
    stars: int | None
    comment: str | None
    cancel_reason: str | None


class BookingPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[BookingView]
    next_cursor: str | None


class SubsidyIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    monthly_fen: Fen


class SubsidyView(msgspec.Struct, frozen=True, kw_only=True):
    """The elder's government care allowance: `monthly_fen` each month, of which
    `balance_fen` is left this month (what is unspent does not carry over)."""

    elder_id: int
    monthly_fen: int
    balance_fen: int
    month: str
