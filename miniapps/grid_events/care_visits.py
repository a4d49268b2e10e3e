"""An elder who needs someone at their door (a missed daily check-in, a home device's
alarm), as elderly care tells it: an elderly-person alert in the elder's grid, dispatched
on report to the grid's worker, whose phone hears of it as of any urgent report."""

from __future__ import annotations

from backend.sdk import ElderNeedsVisit, Event, JobContext, Unprocessable
from miniapps.grid_events.opening import SYSTEM, open_event
from miniapps.grid_events.schemas import ReportIn

CATEGORY = "elderly_alert"


async def open_care_visit(event: Event, job: JobContext) -> None:
    """Runs once per event in the delivery's unit of work (the kernel marks it handled in
    the same transaction), so a redelivered event opens no second grid event."""
    needs: ElderNeedsVisit = event.payload
    report = ReportIn(category=CATEGORY, description=needs.description)
    why = f"elderly_care {needs.reason}, alarm {needs.alarm_id}"
    try:
        await open_event(data=report, grid=needs.grid_path, reporter_id=SYSTEM, why=why)
    except Unprocessable:
        # Nobody over the grid handles elderly alerts: elderly care's own cascade has rung
        # the elder's people already, and retrying cannot make a handler appear.
        return
