"""Care visits (上门探访): the care or grid worker over an elder's grid checks in at the
elder's home and out again, each time where they stand, with notes; the elder's visit plan
says how often and for how long at least. One visit open per worker: they are at one
home at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from backend.sdk import (
    ROW_ID_MAX,
    UNIQUE_VIOLATION,
    Claims,
    Conflict,
    Forbidden,
    NotFound,
    Role,
    decode_cursor,
    encode_cursor,
    fetch_rows,
    fetch_where_in,
    people,
)
from miniapps.elderly_care.elders import Seen, elder_seen_by
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import Worker
from miniapps.elderly_care.visit_schemas import (
    ArriveIn,
    CareVisitPage,
    CareVisitView,
    LeaveIn,
    VisitPlanIn,
    VisitPlanView,
)

VISITORS = (Role.CARE_WORKER, Role.GRID_WORKER)


async def plan_of(elder_id: int) -> VisitPlanView | None:
    rows = await fetch_rows(
        "SELECT every_days, min_minutes FROM elderly_care_visit_plan WHERE elder_id = $1",
        elder_id,
    )
    if not rows:
        return None
    return VisitPlanView(
        elder_id=elder_id,
        every_days=int(rows[0]["every_days"]),
        min_minutes=int(rows[0]["min_minutes"]),
    )


async def set_plan(
    *, actor: Claims, seen: Seen, plan: VisitPlanIn, care: CareRuntime
) -> VisitPlanView:
    """By care staff over the elder's grid."""
    if not seen.staff:
        raise Forbidden(CareProblem.CARE_STAFF_ONLY)
    await fetch_rows(
        "INSERT INTO elderly_care_visit_plan (elder_id, every_days, min_minutes, set_by, set_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (elder_id) DO UPDATE SET"
        " every_days = excluded.every_days, min_minutes = excluded.min_minutes,"
        " set_by = excluded.set_by, set_at = excluded.set_at",
        seen.id,
        plan.every_days,
        plan.min_minutes,
        actor.user_id,
        care.clock(),
    )
    return VisitPlanView(elder_id=seen.id, every_days=plan.every_days, min_minutes=plan.min_minutes)


async def arrive(*, actor: Claims, seen: Seen, at: ArriveIn, care: CareRuntime) -> int:
    """The worker checks in at the elder's home; a worker with a visit still open elsewhere
    checks out of it first."""
    grid = str(seen.elder["grid_path"])
    if not actor.covers(grid, *VISITORS):
        raise Forbidden(CareProblem.VISITORS_ONLY)
    try:
        rows = await fetch_rows(
            "INSERT INTO elderly_care_visit (elder_id, worker_id, grid_path, arrived_at,"
            " arrived_latitude, arrived_longitude) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            seen.id,
            actor.user_id,
            grid,
            care.clock(),
            at.latitude,
            at.longitude,
        )
    except UNIQUE_VIOLATION as err:
        raise Conflict(CareProblem.VISIT_OPEN) from err
    return int(rows[0]["id"])


async def leave(*, actor: Claims, visit_id: int, at: LeaveIn, care: CareRuntime) -> None:
    """The worker who checked in checks out, with their notes; once."""
    rows = await fetch_rows("SELECT * FROM elderly_care_visit WHERE id = $1", visit_id)
    # Their own visit, even if their role moved off the elder's grid since they came in:
    # else it would stay open and bar them from every other home.
    if not rows or int(rows[0]["worker_id"]) != actor.user_id:
        await visit_seen_by(actor, visit_id)
        raise Forbidden(CareProblem.VISITOR_OWN)
    visit = rows[0]
    now = care.clock()
    minutes = max(0, int((now - visit["arrived_at"]).total_seconds() // 60))
    rows = await fetch_rows(
        "UPDATE elderly_care_visit SET left_at = $2, left_latitude = $3, left_longitude = $4,"
        " minutes = $5, notes = $6 WHERE id = $1 AND left_at IS NULL RETURNING id",
        visit_id,
        now,
        at.latitude,
        at.longitude,
        minutes,
        at.notes,
    )
    if not rows:
        raise Conflict(CareProblem.VISIT_ENDED)


async def visit_seen_by(actor: Claims, visit_id: int) -> Mapping[str, Any]:
    """The visit, for whoever sees its elder; to anyone else it is not found."""
    rows = await fetch_rows("SELECT * FROM elderly_care_visit WHERE id = $1", visit_id)
    if rows:
        try:
            await elder_seen_by(actor, int(rows[0]["elder_id"]))
        except NotFound:
            pass
        else:
            return rows[0]
    raise NotFound(CareProblem.VISIT_NOT_FOUND)


async def visits_of(seen: Seen, *, cursor: str | None, limit: int) -> CareVisitPage:
    """The elder's visits, newest first."""
    before = decode_cursor(cursor) if cursor else ROW_ID_MAX
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_visit WHERE elder_id = $1 AND id < $2 ORDER BY id DESC"
        " LIMIT $3",
        seen.id,
        before,
        limit + 1,
    )
    items = await visit_views(rows[:limit])
    more = len(rows) > limit
    return CareVisitPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def visit_view(visit_id: int) -> CareVisitView:
    rows = await fetch_rows("SELECT * FROM elderly_care_visit WHERE id = $1", visit_id)
    return (await visit_views(rows))[0]


async def visit_views(rows: Sequence[Mapping[str, Any]]) -> list[CareVisitView]:
    named = await people({int(r["worker_id"]) for r in rows})
    photos = await _photos_of(int(r["id"]) for r in rows)
    return [
        CareVisitView(
            id=int(r["id"]),
            elder_id=int(r["elder_id"]),
            worker=Worker(
                id=int(r["worker_id"]),
                name=named[int(r["worker_id"])].name if int(r["worker_id"]) in named else "",
            ),
            arrived_at=r["arrived_at"],
            arrived_latitude=float(r["arrived_latitude"]),
            arrived_longitude=float(r["arrived_longitude"]),
            left_at=r["left_at"],
            left_latitude=r["left_latitude"],
            left_longitude=r["left_longitude"],
            minutes=r["minutes"],
            notes=r["notes"],
            photos=photos.get(int(r["id"]), []),
        )
        for r in rows
    ]


async def _photos_of(visit_ids: Iterable[int]) -> dict[int, list[int]]:
    """The photo ids of each visit, oldest first."""
    taken: dict[int, list[int]] = {}
    rows = await fetch_where_in(
        "SELECT id, visit_id FROM elderly_care_visit_photo",
        "visit_id",
        visit_ids,
        then="ORDER BY id",
    )
    for row in rows:
        taken.setdefault(int(row["visit_id"]), []).append(int(row["id"]))
    return taken
