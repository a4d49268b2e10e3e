"""The justice bureau's view of consultations in a district: how many were answered, how
many before their deadline, how fast and how well."""

from __future__ import annotations

import datetime as dt
import statistics

from backend.sdk import Claims, fetch_rows
from miniapps.legal_aid.directory import district_admin_over
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import LegalReport


async def legal_report(
    *, actor: Claims, district: str, days: int, legal: LegalRuntime
) -> LegalReport:
    district = district_admin_over(actor, district)
    since = legal.clock() - dt.timedelta(days=days)
    rows = await fetch_rows(
        "SELECT asked_at, answered_at, answer_due_at, escalated, rating"
        " FROM legal_aid_consultation WHERE district = $1 AND asked_at >= $2",
        district,
        since,
    )
    answered = [r for r in rows if r["answered_at"] is not None]
    # In time: answered before the first deadline, so before any escalation.
    in_time = [
        r for r in answered if int(r["escalated"]) == 0 and r["answered_at"] <= r["answer_due_at"]
    ]
    minutes = [int((r["answered_at"] - r["asked_at"]).total_seconds() // 60) for r in answered]
    ratings = [int(r["rating"]) for r in rows if r["rating"] is not None]
    return LegalReport(
        district=district,
        days=days,
        asked=len(rows),
        answered=len(answered),
        answered_in_time=len(in_time),
        in_time_rate=round(len(in_time) / len(rows), 3) if rows else None,
        median_answer_minutes=int(statistics.median(minutes)) if minutes else None,
        mean_rating=round(statistics.fmean(ratings), 2) if ratings else None,
    )
