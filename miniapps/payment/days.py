"""The city's days: the no-PIN limit counts a day, statements a month, both the city's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CITY_TIME = ZoneInfo("Asia/Shanghai")


def day_start(moment: dt.datetime) -> dt.datetime:
    """The instant (UTC) the city's day of `moment` began: midnight in Asia/Shanghai."""
    local = moment.astimezone(CITY_TIME)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
