"""Checkpoint scans as tracing data: who passed the same checkpoint (a place as its staff
name it, within their scope) around the same time as a person, by the scans that prove
they were there. Scans carry the holder's
pairwise subject, which only the server maps back to a person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.query import Select

from miniapps.health_code.tables import HolderKey, Scan
from miniapps.health_code.verifier import Reason

# Scans that show their holder was there: valid ones, and those refused only because the
# colour changed since the credential was issued (the holder's phone signed the proof
# there and then). A replayed, stale or foreign code says nothing of where its holder was.
_PRESENT = (Scan.valid == True) | (Scan.reason == Reason.REVOKED.value)  # noqa: E712


async def met_at_checkpoints(
    user_id: int, since: dt.datetime, until: dt.datetime, margin: dt.timedelta
) -> list[dict[str, Any]]:
    """The others scanned at the checkpoints where `user_id` was scanned in the window, each
    within `margin` of them, as visits (`place_id` None; `id` the scan's row)."""
    holder = await HolderKey.select(HolderKey.subject).where(HolderKey.user_id == user_id).first()
    if holder is None:
        return []
    subject = holder["subject"]
    passes = await passes_of(subject, since, until)
    near: list[dict[str, Any]] = []
    for scan in passes:
        near += await Scan.select(
            Scan.id, Scan.subject, Scan.colour, Scan.place, Scan.scanned_at
        ).where(
            (Scan.place == scan["place"])
            & (Scan.scanner_scope == scan["scanner_scope"])
            & Scan.subject.is_not_null()
            & (Scan.subject != subject)
            & _PRESENT
            & (Scan.scanned_at >= scan["scanned_at"] - margin)
            & (Scan.scanned_at <= scan["scanned_at"] + margin)
        )
    people = await _people_of({row["subject"] for row in near})
    return [
        {
            "id": row["id"],
            "user_id": people[row["subject"]],
            "colour": row["colour"] or "",
            "place_id": None,
            "place": row["place"],
            "at": row["scanned_at"],
            "via": "checkpoint",
        }
        for row in near
        if row["subject"] in people
    ]


def passes_of(subject: str, since: dt.datetime, until: dt.datetime) -> Select:
    """The scans that put `subject` at a checkpoint in the window; bounded in time, so on
    PostgreSQL only the months of the window are read."""
    return Scan.select(Scan.place, Scan.scanner_scope, Scan.scanned_at).where(
        (Scan.subject == subject)
        & (Scan.scanned_at >= since)
        & (Scan.scanned_at <= until)
        & _PRESENT
    )


async def _people_of(subjects: set[str]) -> dict[str, int]:
    if not subjects:
        return {}
    rows = await HolderKey.select(HolderKey.subject, HolderKey.user_id).where(
        HolderKey.subject.is_in(list(subjects))
    )
    return {row["subject"]: int(row["user_id"]) for row in rows}
