"""The care report (养老服务看板) for the admins over an org unit: over its subtree and the
last days asked for, how fast SOS calls were answered, how many daily check-ins were kept,
how many visits were made, which elders are overdue a visit and which visits were short."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import Claims, Forbidden, fetch_rows, people
from miniapps.elderly_care.checkins import CITY_TIME
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.rules import COMMUNITY_ADMINS
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import AlarmKind, Worker
from miniapps.elderly_care.visit_schemas import CareReport, OverdueElder, ShortVisit

LISTED = 100  # overdue elders and short visits shown, the longest overdue and newest first
LOOK_BACK = dt.timedelta(days=90)  # as far back as a last visit is looked for
COUNTED = 20_000  # rows read for each figure; a district's month is well within it


def _within(column: str) -> str:
    return f"({column} = $1 OR {column} LIKE $2)"


async def care_report(*, actor: Claims, under: str, days: int, care: CareRuntime) -> CareReport:
    if not actor.covers(under, *COMMUNITY_ADMINS):
        raise Forbidden(CareProblem.NOT_ADMIN_OVER)
    now = care.clock()
    since = now - dt.timedelta(days=days)
    where = (under, f"{under}/%")
    raised = await fetch_rows(
        "SELECT raised_at, acknowledged_at FROM elderly_care_alarm"  # noqa: S608 - our own clause
        f" WHERE {_within('grid_path')} AND kind = $3 AND raised_at >= $4 LIMIT $5",
        *where,
        AlarmKind.SOS.value,
        since,
        COUNTED,
    )
    answers = [
        (r["acknowledged_at"] - r["raised_at"]).total_seconds()
        for r in raised
        if r["acknowledged_at"] is not None
    ]
    days_due = await fetch_rows(
        "SELECT d.checked_in_at FROM elderly_care_checkin_day d"  # noqa: S608 - our own clause
        f" JOIN elderly_care_elder e ON e.id = d.elder_id WHERE {_within('e.grid_path')}"
        " AND d.day >= $3 LIMIT $4",
        *where,
        since.astimezone(CITY_TIME).date(),
        COUNTED,
    )
    kept = sum(1 for r in days_due if r["checked_in_at"] is not None)
    visits = await fetch_rows(
        "SELECT v.id, v.elder_id, v.worker_id, v.arrived_at, v.minutes, p.min_minutes"  # noqa: S608 - our own clause
        " FROM elderly_care_visit v LEFT JOIN elderly_care_visit_plan p ON p.elder_id = v.elder_id"
        f" WHERE {_within('v.grid_path')} AND v.left_at IS NOT NULL AND v.arrived_at >= $3"
        " ORDER BY v.id DESC LIMIT $4",
        *where,
        now - LOOK_BACK,
        COUNTED,
    )
    return CareReport(
        under=under,
        days=days,
        sos_raised=len(raised),
        sos_answered=len(answers),
        sos_median_answer_seconds=round(statistics.median(answers)) if answers else None,
        checkins_due=len(days_due),
        checkins_kept=kept,
        checkin_rate=round(kept / len(days_due), 4) if days_due else None,
        visits_done=sum(1 for v in visits if v["arrived_at"] >= since),
        overdue=await _overdue(where, visits, now),
        short=await _short(visits, since),
    )


async def _overdue(
    where: tuple[str, str], visits: Sequence[Mapping[str, Any]], now: dt.datetime
) -> list[OverdueElder]:
    """Elders with a visit plan whose next visit is due and not made."""
    plans = await fetch_rows(
        "SELECT e.id, e.user_id, p.every_days, p.set_at FROM elderly_care_visit_plan p"  # noqa: S608 - our own clause
        f" JOIN elderly_care_elder e ON e.id = p.elder_id WHERE {_within('e.grid_path')}"
        " LIMIT $3",
        *where,
        COUNTED,
    )
    last: dict[int, dt.datetime] = {}
    for visit in visits:
        elder_id = int(visit["elder_id"])
        if elder_id not in last or visit["arrived_at"] > last[elder_id]:
            last[elder_id] = visit["arrived_at"]
    late = []
    for plan in plans:
        seen_last = last.get(int(plan["id"]))
        due = (seen_last or plan["set_at"]) + dt.timedelta(days=int(plan["every_days"]))
        if due <= now:
            late.append((due, plan, seen_last))
    late.sort(key=lambda item: item[0])
    named = await people({int(plan["user_id"]) for _, plan, _ in late[:LISTED]})
    return [
        OverdueElder(
            elder_id=int(plan["id"]),
            name=named[int(plan["user_id"])].name if int(plan["user_id"]) in named else "",
            last_visit_at=seen_last,
            due_at=due,
        )
        for due, plan, seen_last in late[:LISTED]
    ]


async def _short(visits: Sequence[Mapping[str, Any]], since: dt.datetime) -> list[ShortVisit]:
    short = [
        v
        for v in visits
        if v["arrived_at"] >= since
        and v["min_minutes"] is not None
        and int(v["minutes"]) < int(v["min_minutes"])
    ][:LISTED]
    named = await people({int(v["worker_id"]) for v in short})
    return [
        ShortVisit(
            visit_id=int(v["id"]),
            elder_id=int(v["elder_id"]),
            worker=Worker(
                id=int(v["worker_id"]),
                name=named[int(v["worker_id"])].name if int(v["worker_id"]) in named else "",
            ),
            minutes=int(v["minutes"]),
            min_minutes=int(v["min_minutes"]),
        )
        for v in short
    ]
