"""A question unanswered past its time escalates: first to its station's head, with a new
time in working hours, then to the district's admins and its legal-aid centre's head.
Each step is claimed by one conditional update, so two workers running the sweep tell
each person once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import Audience, Role, fetch_rows, notify, unit_of_work, work_calendar
from miniapps.legal_aid.hours import add_working_hours
from miniapps.legal_aid.notices import PART, WAITING_TOO_LONG, consultation_link
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import ConsultStatus, StationKind

LAST_STEP = 2


async def escalate_overdue(legal: LegalRuntime) -> int:
    """Escalate every question past its time and still unanswered; how many."""
    now = legal.clock()
    overdue = await fetch_rows(
        "SELECT id, escalated FROM legal_aid_consultation WHERE status = $1"
        " AND answer_due_at <= $2 AND escalated < $3 ORDER BY answer_due_at LIMIT 500",
        ConsultStatus.WAITING.value,
        now,
        LAST_STEP,
    )
    calendar = await work_calendar()
    next_due = add_working_hours(calendar, now, legal.answer_hours)
    done = 0
    for row in overdue:
        async with unit_of_work():
            claimed = await fetch_rows(
                "UPDATE legal_aid_consultation SET escalated = escalated + 1,"
                " answer_due_at = $3 WHERE id = $1 AND escalated = $2 AND status = $4"
                " RETURNING *",
                row["id"],
                row["escalated"],
                next_due,
                ConsultStatus.WAITING.value,
            )
            if claimed:
                await _tell(claimed[0])
                done += 1
    return done


async def _tell(row: Mapping[str, Any]) -> None:
    step = int(row["escalated"])
    district = str(row["district"])
    heads = await _heads(row["station_id"]) if step == 1 else await _centre_heads(district)
    # A station with no head escalates straight to the district.
    audience = (
        Audience.users(*heads)
        if step == 1 and heads
        else msgspec.structs.replace(
            Audience.role_above(Role.DISTRICT_ADMIN, district), user_ids=sorted(heads)
        )
    )
    await notify(
        audience=audience,
        template=WAITING_TOO_LONG,
        data={"category": str(row["category"])},
        source=PART,
        deep_link=consultation_link(int(row["id"])),
    )


async def _heads(station_id: int | None) -> set[int]:
    rows = await fetch_rows(
        "SELECT head_id FROM legal_aid_station WHERE id = $1 AND head_id IS NOT NULL",
        station_id or 0,
    )
    return {int(r["head_id"]) for r in rows}


async def _centre_heads(district: str) -> set[int]:
    rows = await fetch_rows(
        "SELECT head_id FROM legal_aid_station WHERE district = $1 AND kind = $2"
        " AND head_id IS NOT NULL",
        district,
        StationKind.CENTRE.value,
    )
    return {int(r["head_id"]) for r in rows}
