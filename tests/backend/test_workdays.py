"""The working-day calendar on the data the migrations seed: the State Council's holidays and
补班 days of 2004–2026, time limits counted on them, and the weekday rule beyond them."""

from __future__ import annotations

import datetime as dt
import re
import time

import chinese_calendar
import holidays
import pytest

from backend.kernel.workdays import WorkCalendar, forget_work_calendar, work_calendar
from backend.kernel.workdays import snapshot as copy_of_process
from backend.kernel.workdays.notice import calendar_year, notice_problems
from backend.kernel.workdays.tables import WorkCalendarDay

SEEDED_YEARS = range(2004, 2027)
D = dt.date


def _days_of(year: int) -> list[dt.date]:
    first = D(year, 1, 1)
    return [first + dt.timedelta(days=n) for n in range((D(year + 1, 1, 1) - first).days)]


@pytest.fixture
async def calendar() -> WorkCalendar:
    forget_work_calendar()
    return await work_calendar()


async def test_the_seed_is_every_day_chinesecalendar_holds() -> None:
    rows = await WorkCalendarDay.select().order_by(WorkCalendarDay.date)
    assert len(rows) == sum(len(_days_of(year)) for year in SEEDED_YEARS) == 8401
    assert {r["date"].year for r in rows} == set(SEEDED_YEARS)
    assert all(r["year_confirmed"] and r["source"] == "chinese-calendar 1.11.0" for r in rows)
    wrong = [r["date"] for r in rows if r["is_workday"] != chinese_calendar.is_workday(r["date"])]
    assert wrong == []
    with pytest.raises(NotImplementedError):  # why the seed stops where it does
        chinese_calendar.is_workday(D(2027, 1, 4))


async def test_a_year_shows_its_holidays_and_working_weekends_by_name() -> None:
    year = await calendar_year(2026)
    assert (year.confirmed, year.source) == (True, "chinese-calendar 1.11.0")
    national_day = [d for d in year.days if d.date.month == 10]
    assert [(d.date.day, d.is_workday) for d in national_day] == [
        *((day, False) for day in range(1, 8)),
        (10, True),  # Saturday 10-10 is worked for the holiday
    ]
    assert {d.name for d in national_day} == {"国庆节"}
    assert [d.date for d in year.days if d.is_workday] == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    assert (await calendar_year(2027)).confirmed is False


@pytest.mark.parametrize("year", SEEDED_YEARS)
async def test_every_seeded_year_would_pass_as_a_notice(year: int) -> None:
    """What a year shows is what a notice for it may say: loading it back is never refused."""
    assert notice_problems(year, (await calendar_year(year)).days) == []


# Where the two sources differ, and which is right. The 2006 notice (国办发明电〔2005〕35号)
# says "12月31日(星期六)上班": holidays has it, chinesecalendar 1.11 keeps it a Saturday off.
KNOWN_DIFFERENCES = {D(2005, 12, 31): "holidays: a 补班 Saturday; chinesecalendar: a day off"}
SUBSTITUTED = re.compile(r"substituted from (\d\d)/(\d\d)/(\d{4})")


@pytest.mark.parametrize("year", SEEDED_YEARS)
async def test_the_seed_agrees_with_the_holidays_package(year: int, calendar: WorkCalendar) -> None:
    """`holidays` lists statutory holidays and their observed and substitute days off, and
    names the weekend each substitute day was worked on ("Day off (substituted from
    01/04/2026)"), which is how it knows the 补班 days. Weekend days inside a holiday it does
    not list, and they change no count. So: Monday to Friday off, and weekends worked, must
    be the same days in both."""
    listed = holidays.country_holidays("CN", years=range(year - 1, year + 2), language="en_US")
    off = {d for d in listed if d.year == year and d.weekday() < 5}
    worked = {
        D(int(m[3]), int(m[1]), int(m[2]))
        for name in listed.values()
        for m in SUBSTITUTED.finditer(name)
    }
    days = _days_of(year)
    seeded_off = {d for d in days if d.weekday() < 5 and not calendar.is_workday(d)}
    seeded_worked = {d for d in days if d.weekday() >= 5 and calendar.is_workday(d)}
    differences = (off ^ seeded_off) | ({d for d in worked if d.year == year} ^ seeded_worked)
    assert differences == {d for d in KNOWN_DIFFERENCES if d.year == year}


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 10-01…07 off; Saturday 10-10 is worked: 10-08, 09, 10, 12, 13, 14, 15.
        (D(2026, 9, 30), 7, D(2026, 10, 15)),
        # Saturday 02-14 is worked, 02-15…23 off: 02-14, 24, 25, 26, 27.
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # a 补班 Saturday is a working day
        (D(2026, 10, 10), 1, D(2026, 10, 12)),  # an ordinary Sunday is not
        (D(2026, 10, 3), 0, D(2026, 10, 3)),  # 即办: the start itself, even on a holiday
    ],
)
def test_a_limit_counts_from_the_day_after_it_starts(
    calendar: WorkCalendar, start: dt.date, days: int, due: dt.date
) -> None:
    assert calendar.add_working_days(start, days) == (due, False)


def test_a_paused_limit_resumes_with_what_was_left(calendar: WorkCalendar) -> None:
    """受理 06-01 with 7 WD; returned for 补正 on 06-03 after 2 WD; supplemented 06-15: the
    last 5 WD skip 端午 (06-19)."""
    used = calendar.working_days_between(D(2026, 6, 1), D(2026, 6, 3))
    assert used == (2, False)
    assert calendar.add_working_days(D(2026, 6, 15), 7 - used.days) == (D(2026, 6, 23), False)


def test_counts_and_deadlines_agree(calendar: WorkCalendar) -> None:
    start = D(2025, 12, 20)
    for days in range(0, 300, 7):
        due = calendar.add_working_days(start, days).date
        assert calendar.working_days_between(start, due).days == days
        assert days == 0 or calendar.is_workday(due)
    assert calendar.working_days_between(D(2026, 10, 15), D(2026, 9, 30)) == (0, False)


def test_a_year_without_a_notice_counts_weekdays_provisionally(calendar: WorkCalendar) -> None:
    assert not calendar.is_confirmed(2027)
    assert calendar.add_working_days(D(2026, 12, 30), 3) == (D(2027, 1, 4), True)
    assert calendar.add_working_days(D(2027, 9, 30), 7) == (D(2027, 10, 11), True)
    assert calendar.add_working_days(D(2003, 12, 30), 2) == (D(2004, 1, 2), True)  # 01-01 元旦
    assert calendar.working_days_between(D(2026, 12, 25), D(2027, 1, 8)) == (10, True)
    assert not calendar.is_workday(D(2027, 1, 2))
    assert calendar.is_workday(D(2027, 1, 1))


def test_a_limit_does_not_count_backwards(calendar: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="counts forward"):
        calendar.add_working_days(D(2026, 1, 5), -1)


def test_ten_thousand_deadlines_take_well_under_a_second(calendar: WorkCalendar) -> None:
    starts = [D(2024, 1, 1) + dt.timedelta(days=n % 1500) for n in range(10_000)]
    began = time.perf_counter()
    for n, start in enumerate(starts):
        calendar.add_working_days(start, n % 60)
    assert time.perf_counter() - began < 0.25


async def test_this_process_reads_another_process_s_load_within_its_reload_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forget_work_calendar()
    assert not (await work_calendar()).is_confirmed(2031)
    # Written as another process would, behind this process's copy.
    await WorkCalendarDay.insert(
        WorkCalendarDay(date=D(2031, 1, 1), is_workday=False, name="元旦", source="test")
    )
    assert not (await work_calendar()).is_confirmed(2031)  # the copy is still young
    assert (await work_calendar(fresh=True)).is_confirmed(2031)
    await WorkCalendarDay.delete().where(WorkCalendarDay.date == D(2031, 1, 1))
    monkeypatch.setattr(copy_of_process, "RELOAD_AFTER", 0.0)
    assert not (await work_calendar()).is_confirmed(2031)  # the copy has aged
