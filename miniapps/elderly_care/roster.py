"""The elders care staff look after (养老台账): those whose home lies under an org unit the
caller holds a care staff role over, each with what needs them now (open alarms) and the
people assigned to them."""

from __future__ import annotations

from backend.sdk import (
    ROW_ID_MAX,
    Claims,
    Forbidden,
    decode_cursor,
    encode_cursor,
    fetch_rows,
    people,
    placeholders,
)
from miniapps.elderly_care.elders import CARE_STAFF
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.schemas import OPEN_ALARM, ElderRoster, ElderRow, Worker


async def roster(*, actor: Claims, under: str, cursor: str | None, limit: int) -> ElderRoster:
    """The elders under `under`, newest enrolled first, for care staff over it."""
    if not actor.covers(under, *CARE_STAFF):
        raise Forbidden(CareProblem.CARE_STAFF_ONLY)
    before = decode_cursor(cursor) if cursor else ROW_ID_MAX
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_elder WHERE (grid_path = $1 OR grid_path LIKE $2)"
        " AND id < $3 ORDER BY id DESC LIMIT $4",
        under,
        f"{under}/%",
        before,
        limit + 1,
    )
    page = rows[:limit]
    open_alarms: dict[int, int] = {}
    if page:
        ids = [int(r["id"]) for r in page]
        counted = await fetch_rows(
            "SELECT elder_id FROM elderly_care_alarm WHERE elder_id IN"  # noqa: S608 - placeholders only
            f" ({placeholders(1, len(ids))}) AND status IN"
            f" ({placeholders(len(ids) + 1, len(OPEN_ALARM))})",
            *ids,
            *[s.value for s in OPEN_ALARM],
        )
        for row in counted:
            open_alarms[int(row["elder_id"])] = open_alarms.get(int(row["elder_id"]), 0) + 1
    wanted = {int(r["user_id"]) for r in page}
    wanted |= {int(r[k]) for r in page for k in ("care_worker_id", "grid_worker_id") if r[k]}
    named = {user_id: p.name for user_id, p in (await people(wanted)).items()}

    def worker(user_id: int | None) -> Worker | None:
        return Worker(id=int(user_id), name=named.get(int(user_id), "")) if user_id else None

    items = [
        ElderRow(
            id=int(r["id"]),
            name=named.get(int(r["user_id"]), ""),
            grid_path=str(r["grid_path"]),
            living_alone=bool(r["living_alone"]),
            care_worker=worker(r["care_worker_id"]),
            grid_worker=worker(r["grid_worker_id"]),
            open_alarms=open_alarms.get(int(r["id"]), 0),
        )
        for r in page
    ]
    more = len(rows) > limit
    return ElderRoster(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)
