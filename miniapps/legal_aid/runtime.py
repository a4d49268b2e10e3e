"""What legal services keep in each process: the clock their deadlines are counted by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from backend.sdk import Services, utc_now

ANSWER_HOURS = 4  # working hours a question waits for its first answer before escalating


class LegalRuntime:
    """A test sets `clock` to move a deadline's time by hand instead of waiting it out."""

    def __init__(self, services: Services, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.services = services
        self.clock = clock
        self.answer_hours = ANSWER_HOURS


async def start_legal(services: Services) -> LegalRuntime:
    return LegalRuntime(services)
