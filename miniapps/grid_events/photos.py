"""Photos before and after handling: JPEG or PNG, at most 5 MB, from those on the event."""

from __future__ import annotations

import enum

from auth.claims import Claims
from backend.errors import NotFound, Unprocessable, register_messages
from backend.storage import Storage
from miniapps.grid_events.service import event_if_visible, timeline_step
from miniapps.grid_events.states import State
from miniapps.grid_events.tables import Photo, TimelineEntry

register_messages(
    {
        "photo_invalid": (
            "照片须为 JPEG 或 PNG,且不超过 5 MB",
            "A photo must be a JPEG or PNG of at most 5 MB",
        )
    }
)

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = {b"\xff\xd8\xff": ("image/jpeg", ".jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", ".png")}


class Stage(enum.StrEnum):
    BEFORE = "before"
    AFTER = "after"


def kind_of(data: bytes) -> tuple[str, str]:
    """The content type by the file's own first bytes, not by what the client claims."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    raise Unprocessable("photo_invalid")


async def add_photo(
    *, actor: Claims, event_id: int, stage: Stage, data: bytes, storage: Storage
) -> int:
    event = await event_if_visible(actor, event_id)
    if not data or len(data) > MAX_BYTES:
        raise Unprocessable("photo_invalid")
    content_type, suffix = kind_of(data)
    key = await storage.put(data, suffix=suffix)
    rows = await Photo.insert(
        Photo(
            event_id=event_id,
            stage=stage,
            storage_key=key,
            content_type=content_type,
            size=len(data),
            uploaded_by=actor.user_id,
        )
    ).returning(Photo.id)
    state = State(event["state"])
    await TimelineEntry.insert(
        timeline_step(
            event_id, "photo", state, state, actor.user_id, stage, {"photo": rows[0]["id"]}
        )
    )
    return int(rows[0]["id"])


async def photo_bytes(
    *, actor: Claims, event_id: int, photo_id: int, storage: Storage
) -> tuple[bytes, str]:
    await event_if_visible(actor, event_id)
    photo = (
        await Photo.select().where((Photo.id == photo_id) & (Photo.event_id == event_id)).first()
    )
    if photo is None:
        raise NotFound("event_not_found")
    return await storage.get(photo["storage_key"]), photo["content_type"]
