"""Who answers a question: an on-duty lawyer of the asker's district who still holds the
lawyer role there, never the asker themself, one who knows its subject before one who does
not, the least loaded first. With nobody on duty it waits in the pool of the district's
legal-aid centre, for a lawyer there to take."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from backend.sdk import fetch_rows, is_postgres
from miniapps.legal_aid.directory import holds_lawyer_role
from miniapps.legal_aid.schemas import Speciality, StationKind

_LOCK = "legal_aid.route:"
_CANDIDATES = (
    "SELECT l.id, l.user_id, l.station_id FROM legal_aid_lawyer l WHERE l.district = $1"
    " AND l.user_id <> $4 AND EXISTS (SELECT 1 FROM legal_aid_shift s"
    " WHERE s.lawyer_id = l.id AND s.starts_at <= $2 AND s.ends_at > $2)"
    " ORDER BY CASE WHEN (',' || l.specialities || ',') LIKE $3 THEN 0 ELSE 1 END,"
    " l.open_count, l.id"
)


class Routed(NamedTuple):
    """Where a question goes: a lawyer (their user id and station), or a station's pool."""

    station_id: int | None
    lawyer_id: int | None


async def route(district: str, category: Speciality, now: dt.datetime, *, asker_id: int) -> Routed:
    """Take the lawyer and count their load up. Inside the asking transaction, and one
    question of a district at a time: each then sees the loads the last one left. Locking
    only the lawyer picked would not do: a question waiting on that row would take the same
    lawyer once it is free, without sorting again, and skipping locked rows would give a
    family question to a labour lawyer. SQLite writes one transaction at a time anyway."""
    if is_postgres():
        await fetch_rows("SELECT pg_advisory_xact_lock(hashtext($1))", f"{_LOCK}{district}")
    candidates = await fetch_rows(_CANDIDATES, district, now, f"%,{category.value},%", asker_id)
    for lawyer in candidates:
        # Listed once; the role may have been taken away since.
        if await holds_lawyer_role(int(lawyer["user_id"]), district):
            await fetch_rows(
                "UPDATE legal_aid_lawyer SET open_count = open_count + 1 WHERE id = $1",
                lawyer["id"],
            )
            return Routed(int(lawyer["station_id"]), int(lawyer["user_id"]))
    centre = await fetch_rows(
        "SELECT id FROM legal_aid_station WHERE district = $1 AND kind = $2 ORDER BY id LIMIT 1",
        district,
        StationKind.CENTRE.value,
    )
    return Routed(int(centre[0]["id"]) if centre else None, None)
