"""How an elder's call for help reaches the grid without elderly care and grid events
knowing each other: elderly care emits `elderly_care.elder_needs_visit` when an elder
must be seen at home (a missed daily check-in, a home device's alarm), and grid events
opens an event in the elder's grid from it, dispatched and pushed to the grid's worker.
The payload is defined here, so that either part may be installed without the other."""

from __future__ import annotations

import msgspec

ELDER_NEEDS_VISIT = "elderly_care.elder_needs_visit"


class ElderNeedsVisit(msgspec.Struct, frozen=True, kw_only=True):
    """One per alarm that needs someone at the elder's door, written in the transaction
    that decided it."""

    alarm_id: int
    elder_id: int
    grid_path: str
    reason: str  # checkin_missed, device_alarm
    description: str  # for the grid worker, in the city's language
