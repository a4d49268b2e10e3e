"""An alarm as its readers see it: where it stands and its timeline, with names."""

from __future__ import annotations

from collections.abc import Mapping

from backend.sdk import fetch_rows, people
from miniapps.elderly_care.schemas import (
    AlarmAction,
    AlarmEntryView,
    AlarmKind,
    AlarmOutcome,
    AlarmStatus,
    AlarmView,
    Worker,
)


async def alarm_view(alarm_id: int) -> AlarmView:
    """The alarm as it stands now, after whatever the caller did."""
    rows = await fetch_rows("SELECT * FROM elderly_care_alarm WHERE id = $1", alarm_id)
    alarm = rows[0]
    entries = await fetch_rows(
        "SELECT * FROM elderly_care_alarm_entry WHERE alarm_id = $1 ORDER BY id", alarm_id
    )
    elder = await fetch_rows(
        "SELECT user_id FROM elderly_care_elder WHERE id = $1", alarm["elder_id"]
    )
    elder_user = int(elder[0]["user_id"])
    actors = {int(e["actor_id"]) for e in entries if e["actor_id"] is not None}
    names = {k: v.name for k, v in (await people({elder_user, *actors})).items()}
    return AlarmView(
        id=alarm_id,
        elder_id=int(alarm["elder_id"]),
        elder_name=names.get(elder_user, ""),
        kind=AlarmKind(str(alarm["kind"])),
        status=AlarmStatus(str(alarm["status"])),
        raised_at=alarm["raised_at"],
        notify_from=alarm["notify_from"],
        latitude=alarm["latitude"],
        longitude=alarm["longitude"],
        acknowledged_by=_worker(alarm["acknowledged_by"], names),
        acknowledged_at=alarm["acknowledged_at"],
        arrived_at=alarm["arrived_at"],
        closed_at=alarm["closed_at"],
        outcome=AlarmOutcome(str(alarm["outcome"])) if alarm["outcome"] else None,
        timeline=[
            AlarmEntryView(
                at=e["at"],
                action=AlarmAction(str(e["action"])),
                actor=_worker(e["actor_id"], names),
                whom=e["whom"],
                note=e["note"],
            )
            for e in entries
        ],
    )


def _worker(user_id: int | None, names: Mapping[int, str]) -> Worker | None:
    return None if user_id is None else Worker(id=int(user_id), name=names.get(int(user_id), ""))
