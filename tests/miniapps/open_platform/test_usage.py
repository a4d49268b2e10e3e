"""Usage figures: each app's launches and unique users by district and by the city's day,
for its publisher and for the platform; a user who launched on several days counts once
over the span."""

from __future__ import annotations

import datetime as dt

from miniapps.open_platform.tables import UsageCount
from miniapps.open_platform.usage import city_day
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import APP, RESIDENT, new_developer, someone
from tests.miniapps.open_platform.test_launch import DISTRICT_GX, Platform


async def test_launches_and_unique_users_by_district_and_day(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    quiet = await platform.opened("metro-quiet")
    resident = await someone(client, token_for_phone, RESIDENT)
    neighbour = await someone(client, token_for_phone, DISTRICT_GX)
    for user in (resident, resident, resident, neighbour):
        launched = await client.post(
            f"{APP}/apps/{app.app_id}/launch", json={}, headers=user.headers
        )
        assert launched.status_code == 200, launched.text
    today = city_day(dt.datetime.now(dt.UTC))
    yesterday = today - dt.timedelta(days=1)
    await UsageCount.insert(
        UsageCount(
            app_id=app.app_id, district="zz/gx", day=yesterday, user_id=resident.user_id, launches=2
        )
    )

    figures = await client.get(f"{APP}/apps/{app.app_id}/usage", headers=platform.developer.headers)
    assert figures.status_code == 200, figures.text
    report = figures.json()
    assert report["until"] == today.isoformat()
    assert [(d["day"], d["launches"], d["users"]) for d in report["days"]] == [
        (yesterday.isoformat(), 2, 1),
        (today.isoformat(), 4, 2),
    ]
    assert [(t["district"], t["launches"], t["users"]) for t in report["totals"]] == [
        ("zz/gx", 6, 2)  # the resident of both days counts once
    ]
    only_today = await client.get(
        f"{APP}/apps/{app.app_id}/usage?days=1", headers=platform.admin.headers
    )
    assert [t["launches"] for t in only_today.json()["totals"]] == [4]

    everything = await client.get(f"{APP}/usage", headers=platform.admin.headers)
    assert everything.status_code == 200, everything.text
    assert {t["app_id"] for t in everything.json()["totals"]} == {app.app_id}
    assert quiet.app_id not in str(everything.json())  # never launched: no figures


async def test_an_apps_figures_are_its_publishers_and_the_platforms_alone(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    rival = await new_developer(client, token_for_phone, platform.admin, "13900000091")
    resident = await someone(client, token_for_phone, RESIDENT)
    for caller in (rival, resident):
        seen = await client.get(f"{APP}/apps/{app.app_id}/usage", headers=caller.headers)
        assert seen.status_code == 404
    assert (await client.get(f"{APP}/usage", headers=resident.headers)).status_code == 403
    for days in ("0", "91", "x"):
        bad = await client.get(f"{APP}/usage?days={days}", headers=platform.admin.headers)
        assert bad.status_code == 400


def test_the_citys_day_turns_at_its_own_midnight() -> None:
    late = dt.datetime(2026, 12, 5, 16, 30, tzinfo=dt.UTC)  # 00:30 on the 6th in Zhengzhou
    assert city_day(late) == dt.date(2026, 12, 6)
    assert city_day(late - dt.timedelta(hours=1)) == dt.date(2026, 12, 5)
