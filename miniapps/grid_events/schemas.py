from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from backend.sdk import BodyRowId
from miniapps.grid_events.states import Action


class ReportIn(msgspec.Struct, frozen=True, kw_only=True):
    category: Annotated[str, msgspec.Meta(max_length=32)]
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    attributes: dict[str, Any] = {}
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    address: Annotated[str, msgspec.Meta(max_length=300)] = ""


class ActIn(msgspec.Struct, frozen=True, kw_only=True):
    action: Action
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    handler_id: BodyRowId | None = None


class TimelineView(msgspec.Struct, frozen=True, kw_only=True):
    action: str
    from_state: str | None
    to_state: str
    actor_id: int
    reason: str
    at: dt.datetime


class EventView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    category: str
    description: str
    attributes: dict[str, Any]
    grid_path: str
    state: str
    reporter_id: int
    handler_id: int | None
    deadline: dt.datetime | None
    duplicate_of: int | None
    created_at: dt.datetime
    version: int  # the `If-Match` of a step taken from this reading; also the ETag
    timeline: list[TimelineView] = []


class EventPage(msgspec.Struct, frozen=True):
    """A page of events, newest first, without their timelines."""

    items: list[EventView]
    next_cursor: str | None


class DutyIn(msgspec.Struct, frozen=True):
    on_duty: bool


class DutyView(msgspec.Struct, frozen=True, kw_only=True):
    on_duty: bool
    off_since: dt.datetime | None


class RuleIn(msgspec.Struct, frozen=True, kw_only=True):
    category: Annotated[str, msgspec.Meta(max_length=32)]
    place_path: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    handler_id: BodyRowId


class RuleView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    category: str
    place_path: str
    handler_id: int
    set_by: int
    set_at: dt.datetime


class SensorIn(msgspec.Struct, frozen=True, kw_only=True):
    device: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{3,64}$")]
    grid_path: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    category: Annotated[str, msgspec.Meta(max_length=32)]
    threshold: Annotated[float, msgspec.Meta(ge=-1e9, le=1e9)]


class SensorEnrolled(msgspec.Struct, frozen=True):
    device: str
    secret: str
