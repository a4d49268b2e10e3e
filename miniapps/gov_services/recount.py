"""Due dates counted over a year whose holidays were not yet known (provisional: Monday to
Friday) are counted again when the State Council's notice for it is loaded."""

from __future__ import annotations

from typing import Any

from backend.sdk import Event, JobContext, work_calendar
from miniapps.gov_services import clock
from miniapps.gov_services.document import ItemDocument
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.states import CLOCK_RUNS
from miniapps.gov_services.tables import Application


async def recount_due_dates(event: Event, job: JobContext) -> None:
    """`calendar.year_loaded`: every running clock with a provisional due date counts again
    on the calendar as it now is (still provisional if it crosses another unloaded year).
    Each case's version moves on, so an action from an older reading is refused as stale. A
    case whose clock changed meanwhile (paused, resumed, extended) was counted by that
    change, on the new calendar, and is left as it is."""
    calendar = await work_calendar(fresh=True)
    cases = await Application.select().where(
        Application.due_provisional.eq(True)
        & Application.status.is_in(list(CLOCK_RUNS))
        & Application.clock_from.is_not_null()
    )
    documents: dict[int, ItemDocument] = {}
    for case in cases:
        version_id = case["item_version_id"]
        if version_id not in documents:
            documents[version_id] = await pinned_document(version_id)
        await _recount(case, clock.recounted(calendar, documents[version_id], case))


async def _recount(case: dict[str, Any], changes: dict[Any, Any]) -> None:
    await Application.update({**changes, Application.version: Application.version + 1}).where(
        (Application.id == case["id"])
        & Application.due_provisional.eq(True)
        & (Application.clock_from == case["clock_from"])
        & (Application.wd_used == case["wd_used"])
        & (Application.extended == case["extended"])
    )
