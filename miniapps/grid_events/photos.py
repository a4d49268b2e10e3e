"""Photos before and after handling: JPEG or PNG, at most 5 MB, from those on the event,
while it is open. Each is decoded and drawn anew, so what is kept is the picture alone: no
EXIF (a phone's GPS position of the reporter), and nothing riding in or after the image data
(a polyglot that a browser would run as HTML or a script)."""

from __future__ import annotations

import asyncio
import enum
import io

from PIL import Image, ImageOps

from backend.sdk import Claims, Conflict, NotFound, Storage, Unprocessable
from miniapps.grid_events.errors import GridEventsCode
from miniapps.grid_events.service import event_if_visible, timeline_step
from miniapps.grid_events.states import FINISHED, State
from miniapps.grid_events.tables import Photo, TimelineEntry

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 5 MB file can claim far more; decoding that would eat memory
SIGNATURES = {b"\xff\xd8\xff": ("image/jpeg", ".jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", ".png")}
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
_UNREADABLE = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


class Stage(enum.StrEnum):
    BEFORE = "before"
    AFTER = "after"


def kind_of(data: bytes) -> tuple[str, str]:
    """The content type by the file's own first bytes, not by what the client claims."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    raise Unprocessable(GridEventsCode.PHOTO_INVALID)


def redrawn(data: bytes, content_type: str) -> bytes:
    """The picture in `data` decoded and encoded anew, turned upright as its EXIF said, and
    without the EXIF; a 422 if it does not decode as the type its first bytes claim."""
    try:
        with Image.open(io.BytesIO(data), formats=[FORMATS[content_type]]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise Unprocessable(GridEventsCode.PHOTO_INVALID)
            image.load()
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if content_type == "image/jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=90)
            else:
                upright.save(out, "PNG")
    except (*_UNREADABLE, Image.DecompressionBombWarning) as err:
        raise Unprocessable(GridEventsCode.PHOTO_INVALID) from err
    return out.getvalue()


async def add_photo(
    *, actor: Claims, event_id: int, stage: Stage, data: bytes, storage: Storage
) -> int:
    event = await event_if_visible(actor, event_id)
    if State(event["state"]) in FINISHED:
        raise Conflict(GridEventsCode.EVENT_FINISHED)
    if not data or len(data) > MAX_BYTES:
        raise Unprocessable(GridEventsCode.PHOTO_INVALID)
    content_type, suffix = kind_of(data)
    # Decoding takes tens of milliseconds: off the event loop.
    data = await asyncio.to_thread(redrawn, data, content_type)
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
        raise NotFound(GridEventsCode.EVENT_NOT_FOUND)
    return await storage.get(photo["storage_key"]), photo["content_type"]
