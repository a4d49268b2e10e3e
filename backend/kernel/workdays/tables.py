from piccolo.columns import BigSerial, Boolean, Date, Varchar
from piccolo.table import Table


class WorkCalendarDay(Table, tablename="work_calendar"):
    """One day of a loaded year of the working-day calendar (工作日历).

    Every day of a loaded year has a row, not only the State Council's exceptions: a year
    is loaded exactly when its days are here (no list of years to keep in step with them),
    a day is read without knowing the weekday rule, and SQL can count working days itself.
    The 23 years of the seed are 8,401 rows."""

    id = BigSerial(primary_key=True)
    date = Date(default=None, unique=True)
    is_workday = Boolean()
    # The holiday a day off belongs to, or the one a working weekend (补班) makes up for;
    # empty for a day the weekday rule decides.
    name = Varchar(length=50, default="")
    source = Varchar(length=200)  # the notice (国办发明电〔2025〕7号) or the data set it came from
    # False would mark a year whose notice has not come: deadlines counted in it stay
    # provisional. The seed and every load write true.
    year_confirmed = Boolean(default=True)
