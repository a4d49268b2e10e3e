"""Deadline computations per second over 10,000 cases, in this process, on the working-day
calendar as the database holds it (2004–2026 from the State Council's notices; 2027 not yet
loaded, so a limit that reaches into it is counted by weekdays and provisional).

Two figures: the host calendar's `add_working_days` alone, from each case's date of 受理
and its item's promised limit; and the engine's whole due date for the same case
(`clock.running_from`: the city's date of the instant, the count, and the instant the case
becomes overdue), which is what accepting a case or recounting it costs."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

CASES = 10_000
FIRST = dt.datetime(2025, 1, 1, 1, 30, tzinfo=dt.UTC)
# Instants of 受理 every 110 minutes from the start of 2025: 10,000 of them reach into 2027.
STEP = dt.timedelta(minutes=110)


def cases(count: int) -> list[tuple[dt.datetime, int]]:
    """(instant of 受理, promised limit in working days), the limits those of the demo
    catalogue's items in turn."""
    from miniapps.gov_services.catalogue import demo_catalogue

    limits = [entry.document.promised_limit_wd for entry in demo_catalogue()]
    return [(FIRST + n * STEP, limits[n % len(limits)]) for n in range(count)]


async def deadline_rates(rounds: int) -> dict[str, Any]:
    """The median rate of `rounds` passes over the cases, of each computation, and each
    pass's rate (`rounds`)."""
    from backend.sdk import work_calendar
    from miniapps.gov_services.clock import running_from
    from miniapps.gov_services.dates import city_date

    calendar = await work_calendar()
    given = cases(CASES)
    dates = [(city_date(at), days) for at, days in given]
    raw, whole = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        for day, days in dates:
            calendar.add_working_days(day, days)
        raw.append(CASES / (time.perf_counter() - started))
        started = time.perf_counter()
        for at, days in given:
            running_from(calendar, at, days)
        whole.append(CASES / (time.perf_counter() - started))
    provisional = sum(calendar.add_working_days(day, days).provisional for day, days in dates)
    return {
        "cases": CASES,
        "accepted_from": given[0][0].date().isoformat(),
        "accepted_until": given[-1][0].date().isoformat(),
        "provisional": provisional,
        "add_working_days_per_s": round(statistics.median(raw)),
        "due_dates_per_s": round(statistics.median(whole)),
        "rounds": {"add_working_days": raw, "due_dates": whole},
    }
