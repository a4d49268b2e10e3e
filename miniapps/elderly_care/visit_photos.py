"""Photos of a care visit (上门探访): taken by the worker who made it, while they are there
or within a day of leaving (a home without signal sends them later), at most ten; seen by
whoever sees the elder. The SDK's `pictures` redraws each, so no phone's EXIF position or
hidden payload is kept."""

from __future__ import annotations

import datetime as dt

from backend.sdk import (
    Claims,
    Conflict,
    Forbidden,
    NotFound,
    Storage,
    clean_picture,
    fetch_rows,
    unit_of_work,
)
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.visits import visit_seen_by

MOST_PHOTOS = 10
LATE_PHOTOS = dt.timedelta(hours=24)  # after leaving, while the phone finds signal
_IF_TAKING = (
    "SELECT id FROM elderly_care_visit WHERE id = $1 AND (left_at IS NULL OR left_at >= $2)"
)
_LOCK_IF_TAKING = (
    "UPDATE elderly_care_visit SET left_at = left_at"
    " WHERE id = $1 AND (left_at IS NULL OR left_at >= $2) RETURNING id"
)


async def add_photo(
    *, actor: Claims, visit_id: int, data: bytes, storage: Storage, care: CareRuntime
) -> int:
    await _own_visit(actor, visit_id)
    # Checked before the photo is decoded, and again under the lock, for uploads racing
    # this one; the file is kept only once it has its room, so a refused one leaves none.
    await _room_for_a_photo(visit_id, care, lock=False)
    picture = await clean_picture(data)
    async with unit_of_work():
        # Locked: two uploads at once count each other, and a visit never passes ten.
        await _room_for_a_photo(visit_id, care, lock=True)
        key = await storage.put(picture.data, suffix=picture.suffix)
        rows = await fetch_rows(
            "INSERT INTO elderly_care_visit_photo (visit_id, storage_key, content_type, size,"
            " uploaded_by, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            visit_id,
            key,
            picture.content_type,
            len(picture.data),
            actor.user_id,
            care.clock(),
        )
    return int(rows[0]["id"])


async def _own_visit(actor: Claims, visit_id: int) -> None:
    """Only the worker who made the visit adds to it, while they still see the elder (a
    worker moved off the grid writes nothing more into the elder's record); whoever else
    sees it is refused, and to anyone else it does not exist."""
    visit = await visit_seen_by(actor, visit_id)
    if int(visit["worker_id"]) != actor.user_id:
        raise Forbidden(CareProblem.VISITOR_OWN)


async def _room_for_a_photo(visit_id: int, care: CareRuntime, *, lock: bool) -> None:
    """Refuse a visit ended over a day ago, or holding ten photos; with `lock`, the visit's
    row stays locked to the end of the transaction."""
    rows = await fetch_rows(
        _LOCK_IF_TAKING if lock else _IF_TAKING, visit_id, care.clock() - LATE_PHOTOS
    )
    if not rows:
        raise Conflict(CareProblem.VISIT_PHOTOS_CLOSED)
    rows = await fetch_rows(
        "SELECT count(*) AS n FROM elderly_care_visit_photo WHERE visit_id = $1", visit_id
    )
    if int(rows[0]["n"]) >= MOST_PHOTOS:
        raise Conflict(CareProblem.VISIT_PHOTOS_FULL, most=MOST_PHOTOS)


async def photo_bytes(
    *, actor: Claims, visit_id: int, photo_id: int, storage: Storage
) -> tuple[bytes, str]:
    """A photo of the visit, for whoever sees its elder; a photo of another visit is not
    found."""
    await visit_seen_by(actor, visit_id)
    rows = await fetch_rows(
        "SELECT storage_key, content_type FROM elderly_care_visit_photo"
        " WHERE id = $1 AND visit_id = $2",
        photo_id,
        visit_id,
    )
    if not rows:
        raise NotFound(CareProblem.VISIT_PHOTO_NOT_FOUND)
    return await storage.get(str(rows[0]["storage_key"])), str(rows[0]["content_type"])
