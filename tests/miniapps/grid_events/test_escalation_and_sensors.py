"""Overdue events escalate once per level; sensor readings are signed, fresh, in order, and
refused where grid events are switched off; a sensor's alarm opens its event as a report
does: due, told and escalated alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from typing import Any

import pytest

from miniapps.grid_events.escalation import escalate_overdue
from miniapps.grid_events.sensors import signature
from miniapps.grid_events.tables import Escalation, GridEvent, TimelineEntry
from push.tables import InboxItem, Notification
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.grid_events.test_chain import (
    MANHOLE,
    RESIDENT,
    People,
    last_notification,
    told,
)
from tests.support import eventually

C03_ADMIN, GX_ADMIN = "13800000005", "13800000006"


async def _overdue_event(people: People) -> int:
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json=MANHOLE,
        headers=bearer(await people.token("13800000001")),
    )
    event = int(response.json()["id"])
    await GridEvent.update(
        {GridEvent.deadline: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(GridEvent.id == event)
    return event


async def _supervisors_told(level_admin: int) -> None:
    async def told() -> bool:
        overdue = await Notification.select(Notification.id).where(
            Notification.template == "grid_events.overdue"
        )
        ids = [n["id"] for n in overdue]
        rows = await InboxItem.select(InboxItem.user_id).where(
            InboxItem.notification_id.is_in(ids or [0])
        )
        return level_admin in {r["user_id"] for r in rows}

    await eventually(told)


async def test_an_overdue_event_escalates_once_per_level_even_with_two_workers(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    event = await _overdue_event(people)
    results = await asyncio.gather(escalate_overdue(), escalate_overdue())
    assert sum(results) == 1
    assert await Escalation.select(Escalation.level) == [{"level": "zz/gx/fengyang/c03"}]
    await _supervisors_told(await people.id(C03_ADMIN))
    assert await escalate_overdue() == 0  # not due again until another step has passed

    step = dt.timedelta(hours=4)  # the manhole category's step
    await GridEvent.update({GridEvent.deadline: GridEvent.deadline - step}).where(
        GridEvent.id == event
    )
    assert sum(await asyncio.gather(escalate_overdue(), escalate_overdue())) == 1
    levels = [r["level"] for r in await Escalation.select(Escalation.level).order_by(Escalation.id)]
    assert levels == ["zz/gx/fengyang/c03", "zz/gx"]
    await _supervisors_told(await people.id(GX_ADMIN))
    await GridEvent.update({GridEvent.deadline: GridEvent.deadline - step * 5}).where(
        GridEvent.id == event
    )
    assert await escalate_overdue() == 0  # no level above the district
    supervised = await GridEvent.select(GridEvent.supervised, GridEvent.version).where(
        GridEvent.id == event
    )
    assert supervised == [{"supervised": True, "version": 2}]  # each escalation is a change
    assert await TimelineEntry.count().where(TimelineEntry.action == "escalate") == 2


async def _enrol(people: People) -> str:
    response = await people.client.post(
        "/v1/miniapps/grid_events/sensors",
        json={
            "device": "tilt-0007",
            "grid_path": "zz/gx/fengyang/c03/g07",
            "category": "manhole_cover",
            "threshold": 15.0,
        },
        headers=bearer(await people.token(C03_ADMIN)),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["secret"])


async def _read(
    people: People,
    secret: str,
    value: float,
    *,
    at: int | None = None,
    signed_with: str | None = None,
) -> int:
    body = json.dumps({"value": value, "unit": "°"}).encode()
    stamp = str(at if at is not None else int(time.time()))
    response = await people.client.post(
        "/v1/miniapps/grid_events/sensors/tilt-0007/readings",
        content=body,
        headers={
            "X-Yimen-Timestamp": stamp,
            "X-Yimen-Signature": signature(signed_with or secret, stamp, body),
            "Content-Type": "application/json",
        },
    )
    return response.status_code


async def test_a_sensor_opens_one_event_and_updates_it(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    now = int(time.time())
    assert await _read(people, secret, 3.0, at=now - 3) == 200
    assert await GridEvent.count() == 0
    assert await _read(people, secret, 30.0, at=now - 2) == 200
    assert await _read(people, secret, 35.0, at=now - 1) == 200
    assert await GridEvent.count() == 1
    alarms = await TimelineEntry.count().where(TimelineEntry.action == "alarm")
    assert alarms == 1


async def test_bad_signatures_and_replays_are_refused(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    now = int(time.time())
    assert await _read(people, secret, 30.0, signed_with="not-the-secret") == 401
    assert await _read(people, secret, 30.0, at=now - 3600) == 401
    assert await _read(people, secret, 30.0, at=now) == 200
    assert await _read(people, secret, 30.0, at=now) == 401  # the same timestamp again
    assert await _read(people, secret, 30.0, at=now - 5) == 401  # older than the last
    assert await GridEvent.count() == 1


async def test_a_signed_reading_of_another_type_is_a_415(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    body, stamp = b'{"value": 30.0}', str(int(time.time()))
    response = await client.post(
        "/v1/miniapps/grid_events/sensors/tilt-0007/readings",
        content=body,
        headers={
            "Content-Type": "text/plain",
            "X-Yimen-Timestamp": stamp,
            "X-Yimen-Signature": signature(secret, stamp, body),
        },
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert await GridEvent.count() == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [(b'{"temperature": "hot"}', "validation_failed"), (b'{"value": 3', "body_not_json")],
)
async def test_a_signed_reading_that_is_not_a_reading_is_a_400(
    client: Client, token_for_phone: TokenForPhone, demo: None, body: bytes, code: str
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    stamp = str(int(time.time()))
    response = await client.post(
        "/v1/miniapps/grid_events/sensors/tilt-0007/readings",
        content=body,
        headers={"X-Yimen-Timestamp": stamp, "X-Yimen-Signature": signature(secret, stamp, body)},
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == code
    assert problem["errors"][0]["field"] == "$"
    assert await GridEvent.count() == 0


async def test_a_sensor_in_a_switched_off_district_is_refused_and_changes_nothing(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    gx_admin = bearer(await people.token(GX_ADMIN))
    switch = "/v1/admin/miniapps/grid_events/switch"
    off = {"enabled": False, "district": "zz/gx"}
    assert (await client.put(switch, json=off, headers=gx_admin)).status_code == 200
    now = int(time.time())
    assert await _read(people, secret, 30.0, at=now) == 404
    assert await GridEvent.count() == 0
    on = {"enabled": True, "district": "zz/gx"}
    assert (await client.put(switch, json=on, headers=gx_admin)).status_code == 200
    assert await _read(people, secret, 30.0, at=now) == 200  # the refusal kept no timestamp
    assert await GridEvent.count() == 1


async def test_alarms_at_once_open_one_event(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    """Each alarm read the sensor's open event before any had opened one: ten at once
    opened five events for one broken cover."""
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    now = int(time.time())
    answers = await asyncio.gather(
        *(_read(people, secret, 50.0, at=now - 20 + i) for i in range(10))
    )
    assert set(answers) <= {200, 401, 409}, answers
    assert await GridEvent.count() == 1
    taken = answers.count(200)
    assert await TimelineEntry.count().where(TimelineEntry.action == "alarm") == taken - 1


async def _alarmed(people: People, secret: str) -> dict[str, Any]:
    assert await _read(people, secret, 30.0) == 200
    event = await GridEvent.select().first()
    assert event is not None
    return event


async def test_a_sensor_alarm_is_due_as_a_report_is(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    event = await _alarmed(people, secret)
    assert (event["state"], event["reporter_id"], event["lat"]) == ("reported", 0, None)
    assert event["deadline"] is not None
    hours_left = (event["deadline"] - dt.datetime.now(dt.UTC)).total_seconds() / 3600
    assert hours_left == pytest.approx(1, abs=0.01)  # a manhole's 立案 within the hour
    timeline = await TimelineEntry.select(
        TimelineEntry.action, TimelineEntry.actor_id, TimelineEntry.reason
    ).where(TimelineEntry.event_id == event["id"])
    assert timeline == [{"action": "report", "actor_id": 0, "reason": "tilt-0007: 30.0°"}]


async def _received(before: int) -> list[dict[int, tuple[str, str]]]:
    """What each notification made after `before` put in whose inbox (title and body), one
    map per notification in the order made."""
    await told(before)  # waits for their fan-out
    rows = (
        await InboxItem.select(
            InboxItem.notification_id, InboxItem.user_id, InboxItem.title, InboxItem.body
        )
        .where(InboxItem.notification_id > before)
        .order_by(InboxItem.notification_id)
    )
    made = sorted({r["notification_id"] for r in rows})
    return [
        {r["user_id"]: (r["title"], r["body"]) for r in rows if r["notification_id"] == n}
        for n in made
    ]


async def test_a_sensor_alarm_tells_whom_a_report_tells_and_the_same(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    admin = await people.id(C03_ADMIN)
    before = await last_notification()
    event = await _alarmed(people, secret)
    assert await told(before) == [{admin}]
    assert await _received(before) == [{admin: (f"事件{event['id']}:新上报", "井盖破损")}]

    before = await last_notification()
    reported = await client.post(
        "/v1/miniapps/grid_events/events",
        json=MANHOLE,
        headers=bearer(await people.token(RESIDENT)),
    )
    assert reported.status_code == 201, reported.text
    assert await _received(before) == [{admin: (f"事件{reported.json()['id']}:新上报", "井盖破损")}]


async def test_an_overdue_sensor_alarm_escalates(
    client: Client, token_for_phone: TokenForPhone, demo: None
) -> None:
    people = People(client, token_for_phone)
    secret = await _enrol(people)
    event = await _alarmed(people, secret)
    assert await escalate_overdue() == 0  # within its hour
    # An hour and a minute later, by its own deadline: none would leave it never overdue.
    await GridEvent.update(
        {GridEvent.deadline: GridEvent.deadline - dt.timedelta(hours=1, minutes=1)}
    ).where(GridEvent.id == event["id"])
    assert await escalate_overdue() == 1
    assert await Escalation.select(Escalation.event_id, Escalation.level) == [
        {"event_id": event["id"], "level": "zz/gx/fengyang/c03"}
    ]
    await _supervisors_told(await people.id(C03_ADMIN))
