"""On and off duty (上班/下班). Dispatch passes over a worker who is off duty while someone
else, in the grid or up the org tree, is on duty; with nobody on duty the grid's own worker
still gets the event, so no report is refused for it."""

from __future__ import annotations

from collections.abc import Collection

from miniapps.grid_events.schemas import DutyView
from miniapps.grid_events.tables import OffDuty


async def set_duty(*, user_id: int, on_duty: bool) -> DutyView:
    if on_duty:
        await OffDuty.delete().where(OffDuty.user_id == user_id)
    else:  # going off twice keeps the first time
        await OffDuty.insert(OffDuty(user_id=user_id)).on_conflict(action="DO NOTHING")
    return await duty_of(user_id)


async def duty_of(user_id: int) -> DutyView:
    row = await OffDuty.select(OffDuty.since).where(OffDuty.user_id == user_id).first()
    return DutyView(on_duty=row is None, off_since=row["since"] if row else None)


async def off_duty(user_ids: Collection[int]) -> set[int]:
    """Which of these workers are off duty."""
    if not user_ids:
        return set()
    rows = await OffDuty.select(OffDuty.user_id).where(OffDuty.user_id.is_in(list(user_ids)))
    return {int(row["user_id"]) for row in rows}
