import datetime

import chinese_calendar
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-02T09:10:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "the calendar of 2004 to 2026, from the State Council's notices as chinesecalendar has them"

SOURCE = f"chinese-calendar {chinese_calendar.__version__}"
# The years chinesecalendar 1.11.0 holds (it raises for any other); pinned in pyproject, so
# this migration writes the same days wherever it runs.
YEARS = range(2004, 2027)
COLUMNS = "(date, is_workday, name, source, year_confirmed)"


def _days(year):
    """Every day of `year`: whether it is a working day, and the holiday it belongs to."""
    day = datetime.date(year, 1, 1)
    while day.year == year:
        off, holiday = chinese_calendar.get_holiday_detail(day)
        name = chinese_calendar.Holiday(holiday).chinese if holiday else ""
        yield day, not off, name
        day += datetime.timedelta(days=1)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="backend", description=DESCRIPTION)

    async def seed():
        engine = engine_finder()
        for year in YEARS:
            # One statement a year: 366 rows of 5 values stay below either engine's limit
            # on the values of one statement.
            rows = list(_days(year))
            values = ", ".join(["({}, {}, {}, {}, {})"] * len(rows))
            args = [a for day, workday, name in rows for a in (day, workday, name, SOURCE, True)]
            await engine.run_querystring(
                QueryString(f"INSERT INTO work_calendar {COLUMNS} VALUES {values}", *args)
            )

    async def unseed():
        await engine_finder().run_querystring(
            QueryString("DELETE FROM work_calendar WHERE source = {}", SOURCE)
        )

    manager.add_raw(seed)
    manager.add_raw_backwards(unseed)
    return manager
