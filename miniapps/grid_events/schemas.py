from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import msgspec

from backend.sdk import BodyRowId, MaskedContact
from miniapps.grid_events.catalogue import Category
from miniapps.grid_events.states import Action, State


class ReportIn(msgspec.Struct, frozen=True, kw_only=True):
    category: Annotated[str, msgspec.Meta(max_length=32)]
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    attributes: dict[str, Any] = {}
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    address: Annotated[str, msgspec.Meta(max_length=300)] = ""
    place: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}$",
                max_length=200,
                description="The community or grid the problem is in, by its org path "
                "(e.g. zz/gx/fengyang/c03), picked from the org tree when the phone gives "
                "no position; a position that lies in a grid wins over it.",
            ),
        ]
        | None
    ) = None


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


class Stage(enum.StrEnum):
    """When a photo was taken: before handling or after."""

    BEFORE = "before"
    AFTER = "after"


class PhotoTaker(enum.StrEnum):
    """Who took a photo, as the event stands: its reporter, its handler, or another of its
    grid's staff (an admin, another worker, an earlier handler)."""

    REPORTER = "reporter"
    HANDLER = "handler"
    STAFF = "staff"


class PhotoView(msgspec.Struct, frozen=True, kw_only=True):
    """A photo of the event; its bytes are at `photos/{id}` under the event."""

    id: int
    stage: Stage
    taken_by: PhotoTaker
    taken_by_id: Annotated[
        int | None,
        msgspec.Meta(
            description="The uploader's user id, for the grid's staff and the uploader; "
            "null for the others."
        ),
    ]
    at: dt.datetime


class EventView(msgspec.Struct, frozen=True, kw_only=True):
    """An event as the caller may see it. Read alone (`GET /events/{id}`, or a step's
    answer) it carries its timeline and photos, and for its handler the reporter's masked
    contact; in a list, those are empty."""

    id: int
    category: str
    description: str
    attributes: dict[str, Any]
    grid_path: str
    state: State
    reporter_id: int
    handler_id: int | None
    deadline: Annotated[
        dt.datetime | None,
        msgspec.Meta(
            description="When the step the event waits for is due; null once it is closed "
            "or cancelled, and while it is suspended (the clock stops)."
        ),
    ]
    duplicate_of: int | None
    created_at: dt.datetime
    version: Annotated[
        int,
        msgspec.Meta(description="Its version: the ETag, and the If-Match of a step taken."),
    ]
    allowed_actions: Annotated[
        list[Action],
        msgspec.Meta(
            description="The steps the caller may take now (POST .../actions), by the rule "
            "that checks them: any other is refused."
        ),
    ]
    timeline: list[TimelineView] = []
    photos: list[PhotoView] = []
    reporter_contact: Annotated[
        MaskedContact | None,
        msgspec.Meta(
            description="The reporter's name and phone, masked: for the event's handler "
            "while it is open, to call them back; null for everyone else."
        ),
    ] = None


class EventSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An event as a line of a list: what a queue shows and the steps the caller may take.
    Its attributes, timeline, photos and the reporter's contact are in the event itself."""

    id: int
    category: str
    description: str
    grid_path: str
    state: State
    reporter_id: int
    handler_id: int | None
    deadline: Annotated[
        dt.datetime | None,
        msgspec.Meta(description="When the step the event waits for is due; null when none is."),
    ]
    duplicate_of: int | None
    created_at: dt.datetime
    version: Annotated[int, msgspec.Meta(description="Its version: the If-Match of a step.")]
    allowed_actions: Annotated[
        list[Action], msgspec.Meta(description="The steps the caller may take now.")
    ]


class EventPage(msgspec.Struct, frozen=True):
    """A page of events, newest first, each as a line of the list: read one event for its
    attributes, timeline, photos and the reporter's contact."""

    items: list[EventSummary]
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


class RulePage(msgspec.Struct, frozen=True):
    """A page of dispatch rules, oldest first; the next page is the one after `next_cursor`."""

    items: list[RuleView]
    next_cursor: str | None


class SensorIn(msgspec.Struct, frozen=True, kw_only=True):
    device: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{3,64}$")]
    grid_path: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    category: Annotated[str, msgspec.Meta(max_length=32)]
    threshold: Annotated[float, msgspec.Meta(ge=-1e9, le=1e9)]


class SensorEnrolled(msgspec.Struct, frozen=True):
    device: str
    secret: str


class CategoryPage(msgspec.Struct, frozen=True):
    """A page of event categories, by code; the next page is the one after `next_cursor`."""

    items: list[Category]
    next_cursor: str | None
