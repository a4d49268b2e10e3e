"""An application's clock (办理时限): working days counted on the host's calendar from the
day after 受理, standing still while the resident answers a 补正, and longer by the one
extension.

The clock's state lives on the application row: `clock_from` (when it last began to count,
None while it stands still), `wd_used` (the working days used before that), `due_at` and
`due_provisional`. The due date is always "the limit less `wd_used`, counted from
`clock_from`", so it can be counted again when the calendar learns a year.

A due date D is the last day of the limit: the case is overdue from 00:00 Asia/Shanghai of
the day after, and `due_at` holds that instant (`dates.overdue_from`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column

from backend.sdk import WorkCalendar
from miniapps.gov_services.dates import city_date, overdue_from
from miniapps.gov_services.document import ItemDocument
from miniapps.gov_services.tables import Application

Changes = dict[Column | str, Any]


def limit_of(document: ItemDocument, case: Mapping[str, Any]) -> int:
    """The working days the case has in all: the promised limit (承诺时限), and the
    extension once it was granted."""
    return document.promised_limit_wd + (document.extension_wd if case["extended"] else 0)


def running_from(calendar: WorkCalendar, start: dt.datetime, days: int) -> Changes:
    """The clock counting `days` working days from the day after `start`'s local date; a
    limit already used up is due the day it starts again (overdue from the next)."""
    due = calendar.add_working_days(city_date(start), max(days, 0))
    return {
        Application.clock_from: start,
        Application.due_at: overdue_from(due.date),
        Application.due_provisional: due.provisional,
    }


def started(calendar: WorkCalendar, document: ItemDocument, *, at: dt.datetime) -> Changes:
    """受理 at `at`: the whole promised limit, counted from the next day."""
    return {
        Application.accepted_at: at,
        Application.wd_used: 0,
        **running_from(calendar, at, document.promised_limit_wd),
    }


def paused(calendar: WorkCalendar, case: Mapping[str, Any], *, at: dt.datetime) -> Changes:
    """Returned for 补正 at `at`: the working days used since the clock last started are
    added to `wd_used`, and no due date stands while the resident answers. Before 受理 the
    clock has not started, and nothing is used."""
    used = 0
    if case["clock_from"] is not None:
        since = city_date(case["clock_from"])
        used = calendar.working_days_between(since, city_date(at)).days
    return {
        Application.wd_used: case["wd_used"] + used,
        Application.paused_at: at,
        Application.clock_from: None,
        Application.due_at: None,
        Application.due_provisional: False,
    }


def resumed(
    calendar: WorkCalendar, document: ItemDocument, case: Mapping[str, Any], *, at: dt.datetime
) -> Changes:
    """The 补正 answered at `at`: what is left of the limit, counted from the next day; a
    case returned before 受理 goes back to wait for it, with no clock."""
    if case["accepted_at"] is None:
        return {Application.paused_at: None}
    return {
        Application.paused_at: None,
        **running_from(calendar, at, limit_of(document, case) - case["wd_used"]),
    }


def extended(calendar: WorkCalendar, document: ItemDocument, case: Mapping[str, Any]) -> Changes:
    """The one extension (延期): the limit grows by the item's `extension_wd`, so the due
    date moves that many working days on."""
    longer = {**case, "extended": True}
    left = limit_of(document, longer) - case["wd_used"]
    return {Application.extended: True, **running_from(calendar, case["clock_from"], left)}


def recounted(calendar: WorkCalendar, document: ItemDocument, case: Mapping[str, Any]) -> Changes:
    """The running clock counted again on `calendar`, as when a year of it was loaded."""
    left = limit_of(document, case) - case["wd_used"]
    return running_from(calendar, case["clock_from"], left)
