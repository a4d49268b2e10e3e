"""Counting working days (工作日): a snapshot of the loaded years of the calendar, and the
weekday rule (Monday to Friday) beyond them, where whatever is counted is provisional."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

ONE_DAY = dt.timedelta(days=1)


class Due(NamedTuple):
    """The last day of a time limit, and whether it crosses a year whose notice has not
    come (then it was counted by the weekday rule and is recomputed when the year loads)."""

    date: dt.date
    provisional: bool


class WorkingDays(NamedTuple):
    """How many working days a stretch holds, and whether it crosses an unconfirmed year."""

    days: int
    provisional: bool


def _weekdays_through(ordinal: int) -> int:
    """Mondays to Fridays from 0001-01-01 (ordinal 1, a Monday) through `ordinal`."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _nth_weekday(count: int) -> int:
    """The ordinal of the `count`-th Monday-to-Friday from 0001-01-01, for count ≥ 1."""
    weeks, rest = divmod(count - 1, 5)
    return 7 * weeks + rest + 1


def _is_weekday(ordinal: int) -> bool:
    return (ordinal - 1) % 7 < 5


class WorkCalendar:
    """The working days of the loaded years, with deadlines and counts in constant time.

    `_through[i]` is how many working days there are from 0001-01-01 through day
    `_first + i`, over every day from the first loaded year's 1 January to the last one's
    31 December (a year missing in between follows the weekday rule). A deadline is then one
    bisection and a count one subtraction, however long the limit."""

    def __init__(self, days: Iterable[tuple[dt.date, bool, bool]]) -> None:
        """From (date, is_workday, year_confirmed) of every stored day."""
        workday: dict[int, bool] = {}
        confirmed: dict[int, bool] = {}
        for date, is_workday, year_confirmed in days:
            workday[date.toordinal()] = is_workday
            confirmed[date.year] = confirmed.get(date.year, True) and year_confirmed
        self._confirmed = frozenset(year for year, sure in confirmed.items() if sure)
        if confirmed:
            self._first = dt.date(min(confirmed), 1, 1).toordinal()
            self._last = dt.date(max(confirmed), 12, 31).toordinal()
        else:
            self._first, self._last = 1, 0
        self._base = _weekdays_through(self._first - 1)
        count = self._base
        self._through: list[int] = []
        for ordinal in range(self._first, self._last + 1):
            count += workday.get(ordinal, _is_weekday(ordinal))
            self._through.append(count)
        self._top = count

    def is_confirmed(self, year: int) -> bool:
        """Whether the State Council's notice for `year` is loaded."""
        return year in self._confirmed

    def is_workday(self, day: dt.date) -> bool:
        """Whether offices work on `day`: a 补班 Saturday does, a holiday Monday does not."""
        ordinal = day.toordinal()
        return self._counted_through(ordinal) > self._counted_through(ordinal - 1)

    def add_working_days(self, start: dt.date, days: int) -> Due:
        """The day a limit of `days` working days that begins on `start` ends.

        Counting starts the day after `start` (民法典 Art. 201: the day an act happens is
        not counted), so 0 days is `start` itself (即办) and 1 day the next working day."""
        if days < 0:
            raise ValueError(f"a time limit counts forward, not {days} days")
        if days == 0:
            return Due(start, provisional=False)
        reached = self._day_counting(self._counted_through(start.toordinal()) + days)
        due = dt.date.fromordinal(reached)
        return Due(due, self._provisional(start + ONE_DAY, due))

    def working_days_between(self, after: dt.date, through: dt.date) -> WorkingDays:
        """The working days in (after, through]: those a limit that began on `after` has
        used by the end of `through`; none when `through` is not later."""
        if through <= after:
            return WorkingDays(0, provisional=False)
        days = self._counted_through(through.toordinal()) - self._counted_through(after.toordinal())
        return WorkingDays(days, self._provisional(after + ONE_DAY, through))

    def _counted_through(self, ordinal: int) -> int:
        """Working days from 0001-01-01 through `ordinal`."""
        if ordinal < self._first:
            return _weekdays_through(ordinal)
        if ordinal <= self._last:
            return self._through[ordinal - self._first]
        return self._top + _weekdays_through(ordinal) - _weekdays_through(self._last)

    def _day_counting(self, count: int) -> int:
        """The ordinal of the working day that brings the count from 0001-01-01 to `count`."""
        if count <= self._base:
            return _nth_weekday(count)
        if count <= self._top:
            return self._first + bisect.bisect_left(self._through, count)
        return _nth_weekday(count - self._top + _weekdays_through(self._last))

    def _provisional(self, first: dt.date, last: dt.date) -> bool:
        return any(year not in self._confirmed for year in range(first.year, last.year + 1))
