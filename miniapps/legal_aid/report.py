"""The justice bureau's view of legal services in a district: how many consultations were
answered, how many before their deadline, how fast and how well; how many mediations
settled, and how fast a mediator was assigned; how many legal-aid cases were granted, and
how fast a lawyer was assigned to them."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from backend.sdk import Claims, fetch_rows
from miniapps.legal_aid.directory import district_admin_over
from miniapps.legal_aid.mediation_schemas import MediationStatus
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
        **await _mediations(district, since),
        **await _cases(district, since),
    )


async def _mediations(district: str, since: dt.datetime) -> dict[str, Any]:
    ended = await fetch_rows(
        "SELECT status FROM legal_aid_mediation WHERE district = $1 AND closed_at >= $2"
        " AND status IN ($3, $4)",
        district,
        since,
        MediationStatus.SETTLED.value,
        MediationStatus.FAILED.value,
    )
    settled = sum(1 for r in ended if r["status"] == MediationStatus.SETTLED.value)
    assigned = await fetch_rows(
        "SELECT answered_at, assigned_at FROM legal_aid_mediation WHERE district = $1"
        " AND assigned_at >= $2",
        district,
        since,
    )
    waits = [(r["assigned_at"] - r["answered_at"]).total_seconds() / 60 for r in assigned]
    return {
        "mediations_ended": len(ended),
        "mediations_settled": settled,
        "mediation_success_rate": round(settled / len(ended), 3) if ended else None,
        "mean_assign_minutes": int(statistics.fmean(waits)) if waits else None,
    }


async def _cases(district: str, since: dt.datetime) -> dict[str, Any]:
    granted = await fetch_rows(
        "SELECT id FROM legal_aid_case WHERE district = $1 AND granted_at >= $2",
        district,
        since,
    )
    assigned = await fetch_rows(
        "SELECT granted_at, assigned_at FROM legal_aid_case WHERE district = $1"
        " AND assigned_at >= $2",
        district,
        since,
    )
    waits = [(r["assigned_at"] - r["granted_at"]).total_seconds() / 60 for r in assigned]
    return {
        "cases_granted": len(granted),
        "mean_case_assign_minutes": int(statistics.fmean(waits)) if waits else None,
    }
