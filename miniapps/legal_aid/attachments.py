"""Attachments of a consultation: photos the asker sends with their question (a contract,
a payslip, a notice), five at most, while it is open; seen by whoever sees the question.
The SDK's `pictures` redraws each, so nothing but the picture is kept."""

from __future__ import annotations

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
from miniapps.legal_aid.consultations import seen_by
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import ConsultStatus

MOST_ATTACHMENTS = 5
_IF_OPEN = "SELECT id FROM legal_aid_consultation WHERE id = $1 AND status <> $2"
_LOCK_IF_OPEN = (
    "UPDATE legal_aid_consultation SET status = status WHERE id = $1 AND status <> $2 RETURNING id"
)


async def attach(
    *, actor: Claims, consultation_id: int, data: bytes, storage: Storage, legal: LegalRuntime
) -> int:
    row = await seen_by(actor, consultation_id)
    if int(row["asker_id"]) != actor.user_id:
        raise Forbidden(LegalProblem.NOT_YOUR_CONSULTATION)
    # Checked before the photo is decoded, and again under the lock, for uploads racing
    # this one; the file is kept only once it has its room, so a refused one leaves none.
    await _room(consultation_id, lock=False)
    picture = await clean_picture(data)
    async with unit_of_work():
        await _room(consultation_id, lock=True)
        key = await storage.put(picture.data, suffix=picture.suffix)
        rows = await fetch_rows(
            "INSERT INTO legal_aid_attachment (consultation_id, storage_key, content_type,"
            " size, uploaded_by, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            consultation_id,
            key,
            picture.content_type,
            len(picture.data),
            actor.user_id,
            legal.clock(),
        )
    return int(rows[0]["id"])


async def _room(consultation_id: int, *, lock: bool) -> None:
    if not await fetch_rows(
        _LOCK_IF_OPEN if lock else _IF_OPEN, consultation_id, ConsultStatus.CLOSED.value
    ):
        raise Conflict(LegalProblem.CONSULTATION_CLOSED)
    rows = await fetch_rows(
        "SELECT count(*) AS n FROM legal_aid_attachment WHERE consultation_id = $1",
        consultation_id,
    )
    if int(rows[0]["n"]) >= MOST_ATTACHMENTS:
        raise Conflict(LegalProblem.ATTACHMENTS_FULL, most=MOST_ATTACHMENTS)


async def attachment_bytes(
    *, actor: Claims, consultation_id: int, attachment_id: int, storage: Storage
) -> tuple[bytes, str]:
    """An attachment, for whoever sees the consultation; one of another is not found."""
    await seen_by(actor, consultation_id)
    rows = await fetch_rows(
        "SELECT storage_key, content_type FROM legal_aid_attachment"
        " WHERE id = $1 AND consultation_id = $2",
        attachment_id,
        consultation_id,
    )
    if not rows:
        raise NotFound(LegalProblem.ATTACHMENT_NOT_FOUND)
    return await storage.get(str(rows[0]["storage_key"])), str(rows[0]["content_type"])
