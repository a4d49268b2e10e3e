"""Photos before and after handling, from those on the event, while it is open; the SDK's
`pictures` takes them in and redraws them."""

from __future__ import annotations

from backend.sdk import (
    Claims,
    Conflict,
    NotFound,
    Storage,
    clean_picture,
)
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.opening import insert_steps, timeline_step
from miniapps.grid_events.schemas import Stage
from miniapps.grid_events.service import event_if_visible
from miniapps.grid_events.states import FINISHED, State
from miniapps.grid_events.tables import Photo


async def add_photo(
    *, actor: Claims, event_id: int, stage: Stage, data: bytes, storage: Storage
) -> int:
    event = await event_if_visible(actor, event_id)
    if State(event["state"]) in FINISHED:
        raise Conflict(GridEventsCode.EVENT_FINISHED)
    picture = await clean_picture(data)
    key = await storage.put(picture.data, suffix=picture.suffix)
    rows = await Photo.insert(
        Photo(
            event_id=event_id,
            stage=stage,
            storage_key=key,
            content_type=picture.content_type,
            size=len(picture.data),
            uploaded_by=actor.user_id,
        )
    ).returning(Photo.id)
    state = State(event["state"])
    await insert_steps(
        [
            timeline_step(
                event_id, "photo", state, state, actor.user_id, stage, {"photo": rows[0]["id"]}
            )
        ]
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
        raise NotFound(GridEventsCode.EVENT_NOT_FOUND)
    return await storage.get(photo["storage_key"]), photo["content_type"]
