from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

import msgspec

from backend.sdk import AwareDatetime, BodyRowId

StatusReason = Annotated[str, msgspec.Meta(max_length=500)]
StatusSource = Annotated[str, msgspec.Meta(max_length=64)]
PlaceName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Colour(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class StatusIn(msgspec.Struct, frozen=True, kw_only=True):
    colour: Colour
    reason: StatusReason = ""
    source: StatusSource = ""
    valid_until: AwareDatetime | None = None


class StatusView(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    colour: Colour
    reason: str
    source: str
    valid_until: dt.datetime | None
    set_at: dt.datetime | None


class StatusPage(msgspec.Struct, frozen=True):
    items: list[StatusView]
    next_cursor: str | None


class HolderKeyIn(msgspec.Struct, frozen=True):
    public_key: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{44}$")]


class CodeView(msgspec.Struct, frozen=True, kw_only=True):
    credential: str
    colour: Colour
    expires_at: int


class ScanIn(msgspec.Struct, frozen=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    place: PlaceName


class ScanView(msgspec.Struct, frozen=True, kw_only=True):
    valid: bool
    reason: str | None
    colour: str | None
    masked_name: str | None


class PlaceIn(msgspec.Struct, frozen=True):
    name: PlaceName
    org_path: Annotated[str, msgspec.Meta(max_length=200)]


class PlaceView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    org_path: str
    code: str


class PlacePage(msgspec.Struct, frozen=True):
    items: list[PlaceView]
    next_cursor: str | None


class CheckInIn(msgspec.Struct, frozen=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class CheckInView(msgspec.Struct, frozen=True, kw_only=True):
    place: str
    colour: Colour
    at: dt.datetime


# How a visit was recorded: the visitor scanned a place code, or staff scanned their code.
Via = Literal["checkpoint", "place_code"]


class Visit(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int | None  # None, and the name masked, for all but health officials
    name: str
    colour: str
    place_id: int | None  # None for a checkpoint, which is no registered place
    place: str
    at: dt.datetime
    via: Via = "place_code"


class VisitPage(msgspec.Struct, frozen=True):
    items: list[Visit]
    next_cursor: str | None


class VisitPosition(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Where a page of visits ended: visits are ordered by time, then by how they were
    recorded, then by the row that recorded them (a check-in or a scan)."""

    at: AwareDatetime
    via: Via
    row: BodyRowId


class RiskLevelName(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RiskLevelIn(msgspec.Struct, frozen=True):
    level: RiskLevelName


class RiskLevelView(msgspec.Struct, frozen=True, kw_only=True):
    community: str
    level: RiskLevelName


class RiskLevelPage(msgspec.Struct, frozen=True):
    items: list[RiskLevelView]
    next_cursor: str | None


class RiskLevelPosition(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Where a page of risk levels ended: they are ordered by the community's path."""

    community: Annotated[str, msgspec.Meta(max_length=200)]


class BulkStatusRow(msgspec.Struct, frozen=True, kw_only=True):
    phone: Annotated[str, msgspec.Meta(max_length=32)]
    colour: str  # checked per row, so that a bad colour is reported with its row
    reason: StatusReason = ""
    source: StatusSource = ""


class BulkStatusIn(msgspec.Struct, frozen=True, kw_only=True):
    rows: Annotated[list[BulkStatusRow], msgspec.Meta(max_length=10_000)] | None = None
    csv: Annotated[str, msgspec.Meta(max_length=2_000_000)] | None = None


class BulkReport(msgspec.Struct, frozen=True):
    changed: int
