"""What the routes of care visits (上门探访) and the care report take and give."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from miniapps.elderly_care.schemas import Worker

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class VisitPlanIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    every_days: Annotated[
        int, msgspec.Meta(ge=1, le=90, description="A visit at least this often.")
    ]
    min_minutes: Annotated[
        int, msgspec.Meta(ge=5, le=240, description="A visit shorter than this is short.")
    ] = 20


class VisitPlanView(msgspec.Struct, frozen=True, kw_only=True):
    elder_id: int
    every_days: int
    min_minutes: int


class ArriveIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the worker stands as they check in at the elder's home."""

    latitude: Latitude
    longitude: Longitude


class LeaveIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    latitude: Latitude
    longitude: Longitude
    notes: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


class CareVisitView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    elder_id: int
    worker: Worker
    arrived_at: dt.datetime
    arrived_latitude: float
    arrived_longitude: float
    left_at: dt.datetime | None
    left_latitude: float | None
    left_longitude: float | None
    minutes: int | None
    notes: str | None
    photos: Annotated[
        list[int],
        msgspec.Meta(
            description="The ids of the visit's photos, oldest first; each is the image at "
            "`/visits/{id}/photos/{photo_id}`."
        ),
    ]


class CareVisitPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[CareVisitView]
    next_cursor: str | None


class OverdueElder(msgspec.Struct, frozen=True, kw_only=True):
    elder_id: int
    name: str
    last_visit_at: dt.datetime | None
    due_at: dt.datetime


class ShortVisit(msgspec.Struct, frozen=True, kw_only=True):
    visit_id: int
    elder_id: int
    worker: Worker
    minutes: int
    min_minutes: int


class CareReport(msgspec.Struct, frozen=True, kw_only=True):
    """Elderly care in an org unit's subtree over the last `days`: SOS answered and how
    fast (the median, in seconds, from raise to first answer), daily check-ins kept of
    those due, visits done, and the elders whose visits are overdue and the visits that
    were short."""

    under: str
    days: int
    sos_raised: int
    sos_answered: int
    sos_median_answer_seconds: int | None
    checkins_due: int
    checkins_kept: int
    checkin_rate: float | None
    visits_done: int
    overdue: list[OverdueElder]
    short: list[ShortVisit]
