"""Step deadlines: plain or working hours (on the host's working-day calendar), and a time
limit of its own for each step."""

import datetime as dt

import pytest

from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.deadlines import CITY_TIME, deadline_after
from miniapps.grid_events.states import State
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import (
    C03_ADMIN,
    G07_CENTRE,
    G07_WORKER,
    MANHOLE,
    RESIDENT,
    People,
)


def _local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CITY_TIME)  # 2026-11-23 is a Monday


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (_local(23, 10), 4, _local(23, 14)),  # within one working day
        (_local(23, 15), 4, _local(24, 11)),  # carried over to the next morning
        (_local(23, 20), 1, _local(24, 10)),  # reported at night: the clock starts at nine
        (_local(27, 16), 3, _local(30, 11)),  # Friday afternoon into Monday
        (_local(28, 12), 8, _local(30, 17)),  # Saturday: a whole Monday
    ],
)
async def test_working_hours(start: dt.datetime, hours: int, due: dt.datetime) -> None:
    assert await deadline_after(start, hours, working_hours=True) == due.astimezone(dt.UTC)


def _october(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=CITY_TIME)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Two hours on Wednesday 09-30, none 10-01…07 (国庆节, a Thursday to a Wednesday),
        # six on Thursday 10-08.
        (dt.datetime(2026, 9, 30, 15, tzinfo=CITY_TIME), 8, _october(8, 15)),
        (_october(1, 10), 1, _october(8, 10)),  # reported on the holiday: the clock waits
        (_october(9, 16), 3, _october(10, 11)),  # Saturday 10-10 is worked (补班)
        (_october(10, 16), 3, _october(12, 11)),  # Sunday 10-11 is not
    ],
)
async def test_working_hours_skip_holidays_and_count_working_weekends(
    start: dt.datetime, hours: int, due: dt.datetime
) -> None:
    assert await deadline_after(start, hours, working_hours=True) == due.astimezone(dt.UTC)


async def test_plain_hours_run_round_the_clock() -> None:
    start = _local(28, 12)
    assert await deadline_after(start, 8, working_hours=False) == start + dt.timedelta(hours=8)


def test_a_step_the_category_does_not_name_takes_its_default() -> None:
    manhole = CATEGORIES["manhole_cover"]
    assert manhole.hours_for(State.REPORTED) == 1
    assert manhole.hours_for(State.HANDLING) == manhole.hours_per_step == 4


async def test_each_step_gets_its_own_time_limit(people: People, demo: None) -> None:
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json=MANHOLE,
        headers=bearer(await people.token(RESIDENT)),
    )
    event = response.json()
    assert _hours_left(event) == pytest.approx(1, abs=0.01)  # 立案 within the hour
    for action, state, hours in (
        ("register", "registered", 1),
        ("dispatch", "dispatched", 1),
        ("start", "handling", 4),
    ):
        actor = G07_WORKER if action == "start" else C03_ADMIN
        moved = await people.client.post(
            f"/v1/miniapps/grid_events/events/{event['id']}/actions",
            json={"action": action},
            headers=bearer(await people.token(actor)),
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["state"] == state
        assert _hours_left(moved.json()) == pytest.approx(hours, abs=0.01), action


async def test_an_elderly_alert_is_due_within_a_quarter_hour(people: People, demo: None) -> None:
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json={"category": "elderly_alert", "description": "独居老人求助", **G07_CENTRE},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.json()["state"] == "dispatched"
    assert _hours_left(response.json()) == pytest.approx(0.25, abs=0.01)


def _hours_left(event: dict[str, str]) -> float:
    deadline = dt.datetime.fromisoformat(event["deadline"])
    return (deadline - dt.datetime.now(dt.UTC)).total_seconds() / 3600
