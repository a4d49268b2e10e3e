"""How much each app is used: launches and the users who launched it, by district and by
the city's day. One row per app, district, day and user, counted up at each launch, so
that unique users over any span of days are counted once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from backend.sdk import Claims, fetch_rows, utc_now
from miniapps.open_platform.apps import seen_app
from miniapps.open_platform.schemas import UsageDay, UsageReport, UsageTotal

CITY_TIME = ZoneInfo("Asia/Shanghai")

_DAYS = (
    "SELECT app_id, district, day, SUM(launches) AS launches, COUNT(*) AS users"
    " FROM open_platform_usage WHERE day >= $1 AND day <= $2 {app}"
    " GROUP BY app_id, district, day ORDER BY app_id, day, district"
)
_TOTALS = (
    "SELECT app_id, district, SUM(launches) AS launches, COUNT(DISTINCT user_id) AS users"
    " FROM open_platform_usage WHERE day >= $1 AND day <= $2 {app}"
    " GROUP BY app_id, district ORDER BY app_id, district"
)


def city_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CITY_TIME).date()


async def count_launch(app_id: str, district: str, user_id: int, moment: dt.datetime) -> None:
    """Count a launch of the app by the user in the district, on the city's day of
    `moment`; inside the launch's transaction."""
    await fetch_rows(
        "INSERT INTO open_platform_usage (app_id, district, day, user_id, launches)"
        " VALUES ($1, $2, $3, $4, 1) ON CONFLICT (app_id, day, district, user_id)"
        " DO UPDATE SET launches = open_platform_usage.launches + 1",
        app_id,
        district,
        city_day(moment),
        user_id,
    )


async def app_usage(actor: Claims, app_id: str, days: int) -> UsageReport:
    """The app's use over the last `days` city days, today included: for its publisher
    and the platform's admins."""
    await seen_app(actor, app_id)
    return await _report(days, app_id)


async def platform_usage(days: int) -> UsageReport:
    """Every app's use over the last `days` city days, today included."""
    return await _report(days, None)


async def _report(days: int, app_id: str | None) -> UsageReport:
    until = city_day(utc_now())
    since = until - dt.timedelta(days=days - 1)
    where = "AND app_id = $3" if app_id is not None else ""
    args: tuple[Any, ...] = (since, until, app_id) if app_id is not None else (since, until)
    return UsageReport(
        since=since,
        until=until,
        days=[_day(row) for row in await fetch_rows(_DAYS.format(app=where), *args)],
        totals=_totals(await fetch_rows(_TOTALS.format(app=where), *args)),
    )


def _day(row: Mapping[str, Any]) -> UsageDay:
    day = row["day"]
    return UsageDay(
        app_id=row["app_id"],
        district=row["district"],
        day=day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)),
        launches=int(row["launches"]),
        users=int(row["users"]),
    )


def _totals(rows: Sequence[Mapping[str, Any]]) -> list[UsageTotal]:
    return [
        UsageTotal(
            app_id=row["app_id"],
            district=row["district"],
            launches=int(row["launches"]),
            users=int(row["users"]),
        )
        for row in rows
    ]
