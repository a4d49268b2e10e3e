"""The daily safety check-in: a day missed, after its grace, reminds the elder, then rings
the contacts in order, then opens a grid event for the grid worker; a check-in at any
point ends it; two sweeps raise and ring it once. The care clock is moved by hand, in the
city's time."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from litestar import Litestar

from backend.kernel.roles import Role
from miniapps.elderly_care.cascade import ring_due
from miniapps.elderly_care.checkins import raise_missed
from miniapps.elderly_care.tables import Alarm, AlarmEntry, CheckinDay
from miniapps.grid_events.tables import GridEvent
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.elderly_care.circle import (
    APP,
    DAUGHTER,
    SON,
    WORKER_G07,
    WORKER_G08,
    CareClock,
    Person,
    enrolled_elder,
    join_circle,
    someone,
)
from tests.support import eventually, notices_recorded

CITY = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)
PLAN = {
    "starts": "08:00",
    "ends": "10:00",
    "days": [1, 2, 3, 4, 5, 6, 7],
    "grace_minutes": 30,
    "step_minutes": 30,
}


def _at(clock: CareClock, time: str, day: dt.date = MONDAY) -> None:
    """Set the care clock to `time` in the city on `day`."""
    hour, minute = (int(part) for part in time.split(":"))
    clock.now = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CITY).astimezone(
        dt.UTC
    )


def _morning(app: Litestar) -> CareClock:
    """The care clock at 07:00 on Monday, before the day's window: a plan set now counts
    from today."""
    clock = CareClock(app)
    _at(clock, "07:00")
    return clock


async def _elder_with_plan(
    client: Client, token_for_phone: TokenForPhone, plan: dict[str, object] = PLAN
) -> tuple[Person, int, Person, Person]:
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    son = await someone(client, token_for_phone, SON)
    daughter = await someone(client, token_for_phone, DAUGHTER)
    await join_circle(client, elder, elder_id, son)
    await join_circle(client, elder, elder_id, daughter)
    answer = await client.put(
        f"{APP}/elders/{elder_id}/checkin-plan", json=plan, headers=elder.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["days"] == plan["days"]
    return elder, elder_id, son, daughter


async def _rung() -> list[str]:
    rows = (
        await AlarmEntry.select(AlarmEntry.whom)
        .where(AlarmEntry.action == "rang")
        .order_by(AlarmEntry.id)
    )
    return [str(row["whom"]) for row in rows]


async def _titles(user_id: int) -> list[str]:
    await notices_recorded()
    rows = await InboxItem.select(InboxItem.title).where(InboxItem.user_id == user_id)
    return [str(row["title"]) for row in rows]


async def test_a_missed_checkin_reminds_then_rings_the_contacts_then_opens_a_grid_event(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = _morning(app)
    elder, _, son, daughter = await _elder_with_plan(client, token_for_phone)
    _at(clock, "10:29")
    assert await raise_missed(clock.runtime) == 0  # still within the grace
    _at(clock, "10:30")
    assert await raise_missed(clock.runtime) == 1
    assert await raise_missed(clock.runtime) == 0  # once a day
    grid = "grid_events@zz/gx/fengyang/c03/g07"
    walk = [
        ("10:30", [f"user:{elder.user_id}"]),
        ("10:59", [f"user:{elder.user_id}"]),
        ("11:00", [f"user:{elder.user_id}", f"user:{son.user_id}"]),
        ("11:30", [f"user:{elder.user_id}", f"user:{son.user_id}", f"user:{daughter.user_id}"]),
        (
            "12:00",
            [f"user:{elder.user_id}", f"user:{son.user_id}", f"user:{daughter.user_id}", grid],
        ),
        # The service centre and the district after it: the cascade does not hang on the
        # grid event alone.
        ("12:30", [..., "community_admin@zz/gx/fengyang/c03"]),
        ("13:00", [..., "district_admin@zz/gx/fengyang/c03/g07"]),
    ]
    for time, rung in walk:
        _at(clock, time)
        await ring_due(clock.runtime)
        if rung[0] is ...:
            assert (await _rung())[-1] == rung[-1], time
        else:
            assert await _rung() == rung, time
    assert "平安打卡" in await _titles(elder.user_id)
    missed = [t for t in await _titles(son.user_id) if t.startswith("未打卡")]
    assert len(missed) == 1

    async def opened() -> bool:
        return await GridEvent.count() == 1

    await eventually(opened, what="the grid event of the missed check-in")
    event = await GridEvent.select().first()
    assert event is not None
    worker = await someone(client, token_for_phone, WORKER_G07)
    assert (event["category"], event["grid_path"]) == ("elderly_alert", "zz/gx/fengyang/c03/g07")
    assert (event["state"], event["handler_id"]) == ("dispatched", worker.user_id)
    alarm = await Alarm.select(Alarm.id).first()
    assert alarm is not None
    assert event["description"].endswith(f"(养老求助 #{alarm['id']})")
    assert any(title.startswith("事件") for title in await _titles(worker.user_id))
    _at(clock, "23:00")
    assert await ring_due(clock.runtime) == 0
    assert await GridEvent.count() == 1


async def test_a_checkin_within_grace_raises_nothing(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = _morning(app)
    elder, elder_id, _, _ = await _elder_with_plan(client, token_for_phone)
    _at(clock, "10:15")
    answer = await client.post(f"{APP}/elders/{elder_id}/checkins", headers=elder.headers)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["day"], answer.json()["on_behalf"]) == ("2026-12-07", False)
    _at(clock, "23:59")
    assert await raise_missed(clock.runtime) == 0
    assert await Alarm.count() == 0


async def test_a_checkin_for_the_elder_ends_the_cascade_midway(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = _morning(app)
    elder, elder_id, son, daughter = await _elder_with_plan(client, token_for_phone)
    _at(clock, "10:30")
    await raise_missed(clock.runtime)
    _at(clock, "11:05")
    await ring_due(clock.runtime)
    assert await _rung() == [f"user:{elder.user_id}", f"user:{son.user_id}"]
    # The son called his father, who is well, and checks in for him.
    answer = await client.post(f"{APP}/elders/{elder_id}/checkins", headers=son.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["on_behalf"] is True
    assert answer.json()["checked_in_by"]["id"] == son.user_id
    alarm = await Alarm.select().first()
    assert alarm is not None
    assert (alarm["status"], alarm["outcome"]) == ("closed", "checked_in")
    _at(clock, "18:00")
    assert await ring_due(clock.runtime) == 0
    assert await _rung() == [f"user:{elder.user_id}", f"user:{son.user_id}"]
    assert await GridEvent.count() == 0
    assert not [t for t in await _titles(daughter.user_id) if t.startswith("未打卡")]
    # The elder's own check-in later the same day changes nothing.
    again = await client.post(f"{APP}/elders/{elder_id}/checkins", headers=elder.headers)
    assert again.json()["checked_in_by"]["id"] == son.user_id


async def test_two_sweeps_at_once_raise_and_ring_it_once(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = _morning(app)
    await _elder_with_plan(client, token_for_phone)
    _at(clock, "10:30")
    assert sum(await asyncio.gather(*(raise_missed(clock.runtime) for _ in range(3)))) == 1
    _at(clock, "12:00")
    await asyncio.gather(*(ring_due(clock.runtime) for _ in range(3)))
    rung = await _rung()
    assert len(rung) == len(set(rung)) == 4

    async def opened() -> bool:
        return await GridEvent.count() == 1

    await eventually(opened, what="one grid event")
    await notices_recorded()
    assert await GridEvent.count() == 1


async def test_check_ins_outside_the_window_or_plan_are_refused_and_write_nothing(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    clock = CareClock(app)
    _at(clock, "09:00")
    url = f"{APP}/elders/{elder_id}/checkins"
    unplanned = await client.post(url, headers=elder.headers)
    assert (unplanned.status_code, unplanned.json()["code"]) == (422, "no_checkin_plan")
    plan_url = f"{APP}/elders/{elder_id}/checkin-plan"
    for body, code in (
        ({**PLAN, "ends": "07:00"}, "window_backwards"),
        ({**PLAN, "days": [1, 1]}, "day_twice"),
    ):
        refused = await client.put(plan_url, json=body, headers=elder.headers)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    for body in ({**PLAN, "starts": "24:00"}, {**PLAN, "days": [0]}, {**PLAN, "days": []}):
        assert (await client.put(plan_url, json=body, headers=elder.headers)).status_code == 400
    assert (await client.get(plan_url, headers=elder.headers)).status_code == 404
    weekdays = {**PLAN, "days": [1, 2, 3, 4, 5]}
    assert (await client.put(plan_url, json=weekdays, headers=elder.headers)).status_code == 200
    _at(clock, "07:59")
    early = await client.post(url, headers=elder.headers)
    assert (early.status_code, early.json()["code"]) == (422, "checkin_outside_window")
    _at(clock, "09:00", MONDAY + dt.timedelta(days=5))  # a Saturday
    saturday = await client.post(url, headers=elder.headers)
    assert (saturday.status_code, saturday.json()["code"]) == (422, "checkin_outside_window")
    assert await CheckinDay.count() == 0


async def test_who_may_check_in_and_read_the_days(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    clock = _morning(app)
    _, elder_id, son, _ = await _elder_with_plan(client, token_for_phone)
    _at(clock, "09:00")
    url = f"{APP}/elders/{elder_id}/checkins"
    staff = bearer(await token_for(Role.CARE_WORKER))
    by_staff = await client.post(url, headers=staff)
    assert (by_staff.status_code, by_staff.json()["code"]) == (403, "elder_or_family")
    other_grid = (await someone(client, token_for_phone, WORKER_G08)).headers
    for answer in (
        await client.post(url, headers=other_grid),
        await client.get(url, headers=other_grid),
        await client.get(f"{APP}/elders/{elder_id}/checkin-plan", headers=other_grid),
    ):
        assert (answer.status_code, answer.json()["code"]) == (404, "elder_not_found")
    assert (await client.get(url, headers=staff)).status_code == 200
    assert (await client.get(url, headers=son.headers)).status_code == 200


async def test_the_streak_counts_the_planned_days_in_a_row(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    plan = {**PLAN, "days": [1, 2, 4]}  # Monday, Tuesday, Thursday
    clock = _morning(app)
    elder, elder_id, _, _ = await _elder_with_plan(client, token_for_phone, plan)
    url = f"{APP}/elders/{elder_id}/checkins"
    for offset in (0, 1, 3):  # each planned day of the week
        _at(clock, "09:00", MONDAY + dt.timedelta(days=offset))
        assert (await client.post(url, headers=elder.headers)).status_code == 200
    shown = await client.get(url, headers=elder.headers)
    assert shown.json()["streak"] == 3
    assert [d["day"] for d in shown.json()["items"]] == ["2026-12-10", "2026-12-08", "2026-12-07"]
    # Next Monday's window is still open: the streak stands until the day is over.
    _at(clock, "09:00", MONDAY + dt.timedelta(days=7))
    assert (await client.get(url, headers=elder.headers)).json()["streak"] == 3
    _at(clock, "09:00", MONDAY + dt.timedelta(days=8))  # Monday was missed
    assert (await client.get(url, headers=elder.headers)).json()["streak"] == 0
    first = await client.get(url, params={"limit": 2}, headers=elder.headers)
    rest = await client.get(
        url, params={"cursor": first.json()["next_cursor"]}, headers=elder.headers
    )
    assert [d["day"] for d in rest.json()["items"]] == ["2026-12-07"]


async def test_a_plan_keeps_to_midnight_and_counts_from_when_it_could_be_kept(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = CareClock(app)
    _at(clock, "15:00")  # Monday afternoon: the 08:00-10:00 window is long past
    elder, elder_id, _, _ = await _elder_with_plan(client, token_for_phone)
    plan_url = f"{APP}/elders/{elder_id}/checkin-plan"
    late = {**PLAN, "starts": "20:00", "ends": "23:45", "grace_minutes": 30}
    refused = await client.put(plan_url, json=late, headers=elder.headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "grace_past_midnight")
    assert await raise_missed(clock.runtime) == 0  # today was never asked of them
    # The sweep did not run on Tuesday: Wednesday's first sweep raises Tuesday's miss.
    _at(clock, "00:01", MONDAY + dt.timedelta(days=2))
    assert await raise_missed(clock.runtime) == 1
    day = await CheckinDay.select(CheckinDay.day).first()
    assert day is not None
    assert day["day"] == MONDAY + dt.timedelta(days=1)


async def test_a_day_already_missed_takes_its_check_in_whatever_the_plan_now_says(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = _morning(app)
    elder, elder_id, _, _ = await _elder_with_plan(client, token_for_phone)
    _at(clock, "10:30")
    assert await raise_missed(clock.runtime) == 1
    _at(clock, "10:40")
    afternoon = {**PLAN, "starts": "14:00", "ends": "16:00", "days": [2]}
    plan_url = f"{APP}/elders/{elder_id}/checkin-plan"
    assert (await client.put(plan_url, json=afternoon, headers=elder.headers)).status_code == 200
    _at(clock, "10:45")
    answer = await client.post(f"{APP}/elders/{elder_id}/checkins", headers=elder.headers)
    assert answer.status_code == 200, answer.text
    alarm = await Alarm.select(Alarm.status, Alarm.outcome).first()
    assert alarm == {"status": "closed", "outcome": "checked_in"}
