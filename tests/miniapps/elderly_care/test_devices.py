"""Home devices: a fall rings the elder's people at once, as an SOS does, and opens a grid
event for the grid's worker; a reading sent again under its event id raises nothing more;
a bad signature, a stale or a future timestamp is refused and writes nothing; a home quiet
past its rule raises one alarm, which signs of life end; a silent device is flagged to the
care worker once. The care clock is moved by hand."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from litestar import Litestar

from backend.kernel.roles import Role
from backend.sdk import body_signature
from miniapps.elderly_care.cascade import ring_due
from miniapps.elderly_care.device_sweep import sweep_devices
from miniapps.elderly_care.tables import Alarm, AlarmEntry, Device, DeviceReading
from miniapps.grid_events.tables import GridEvent
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.elderly_care.circle import (
    APP,
    SON,
    WORKER_G07,
    WORKER_G08,
    CareClock,
    Person,
    enrolled_elder,
    join_circle,
    set_timing,
    someone,
)
from tests.support import eventually, notices_recorded

G07 = "zz/gx/fengyang/c03/g07"


class Home:
    def __init__(self, clock: CareClock, elder: Person, elder_id: int, son: Person) -> None:
        self.clock = clock
        self.elder = elder
        self.elder_id = elder_id
        self.son = son
        self.secrets: dict[str, str] = {}


async def _home(app: Litestar, client: Client, token_for_phone: TokenForPhone) -> Home:
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    son = await someone(client, token_for_phone, SON)
    await join_circle(client, elder, elder_id, son)
    return Home(CareClock(app), elder, elder_id, son)


async def _enrol(
    client: Client, token_for: TokenFor, home: Home, device: str, kind: str, **more: Any
) -> httpx.Response:
    staff = bearer(await token_for(Role.COMMUNITY_ADMIN))
    answer = await client.post(
        f"{APP}/elders/{home.elder_id}/devices",
        json={"device": device, "kind": kind, **more},
        headers=staff,
    )
    if answer.status_code == 201:
        home.secrets[device] = answer.json()["secret"]
    return answer


async def _send(
    client: Client,
    home: Home,
    device: str,
    reading: dict[str, Any],
    *,
    skew: int = 0,
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = _json(reading)
    stamp = str(int(home.clock.now.timestamp()) + skew)
    signed = body_signature((key or home.secrets.get(device, "x")).encode(), stamp, body)
    return await client.post(
        f"{APP}/devices/{device}/readings",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Yimen-Timestamp": stamp,
            "X-Yimen-Signature": signed,
            **(headers or {}),
        },
    )


def _json(reading: dict[str, Any]) -> bytes:
    return json.dumps(reading).encode()


async def _rung(alarm_id: int) -> list[str]:
    rows = (
        await AlarmEntry.select(AlarmEntry.whom)
        .where((AlarmEntry.alarm_id == alarm_id) & (AlarmEntry.action == "rang"))
        .order_by(AlarmEntry.id)
    )
    return [str(row["whom"]) for row in rows]


async def test_a_fall_rings_at_once_and_a_replay_raises_nothing_more(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=5, gap=60)
    home = await _home(app, client, token_for_phone)
    enrolled = await _enrol(client, token_for, home, "fall-0001", "fall_detector")
    assert enrolled.status_code == 201, enrolled.text
    raised_at = home.clock.now
    fall = {"event_id": "e-1", "type": "fall"}
    answers = await asyncio.gather(*(_send(client, home, "fall-0001", fall) for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    alarm_ids = {a.json()["alarm_id"] for a in answers}
    assert len(alarm_ids) == 1
    assert None not in alarm_ids
    assert sorted(a.json()["replayed"] for a in answers) == [False] + [True] * 4
    [alarm_id] = alarm_ids
    # No cancel window for a device: the first contact is rung with the alarm.
    assert await _rung(alarm_id) == [f"user:{home.son.user_id}"]
    assert await Alarm.count() == 1
    [alarm] = await Alarm.select(Alarm.kind, Alarm.status)
    assert (alarm["kind"], alarm["status"]) == ("device", "raised")

    # Another fall while it is open joins it.
    again = await _send(client, home, "fall-0001", {"event_id": "e-2", "type": "fall"})
    assert (again.json()["alarm_id"], again.json()["replayed"]) == (alarm_id, False)
    assert await Alarm.count() == 1
    shown = (await client.get(f"{APP}/alarms/{alarm_id}", headers=home.son.headers)).json()
    assert [e["action"] for e in shown["timeline"]] == ["raised", "rang", "reading"]
    assert shown["timeline"][0]["note"] == "fall: fall-0001"

    # Then the grid worker, with a grid event beside the ring, and the centre after.
    home.clock.at(60, raised_at)
    await ring_due(home.clock.runtime)
    assert await _rung(alarm_id) == [
        f"user:{home.son.user_id}",
        f"grid_worker@{G07}",
        f"grid_events@{G07}",
    ]

    async def opened() -> bool:
        return await GridEvent.count() == 1

    await eventually(opened, what="the grid event of the fall")
    event = await GridEvent.select().first()
    assert event is not None
    worker = await someone(client, token_for_phone, WORKER_G07)
    assert (event["category"], event["grid_path"]) == ("elderly_alert", G07)
    assert (event["state"], event["handler_id"]) == ("dispatched", worker.user_id)

    # Answered, it rings nobody more; closed, the next fall raises a new one.
    await client.post(f"{APP}/alarms/{alarm_id}/acknowledge", headers=home.son.headers)
    home.clock.at(10_000, raised_at)
    assert await ring_due(home.clock.runtime) == 0
    closed = await client.post(
        f"{APP}/alarms/{alarm_id}/close", json={"outcome": "helped"}, headers=home.son.headers
    )
    assert closed.status_code == 200, closed.text
    later = await _send(client, home, "fall-0001", {"event_id": "e-3", "type": "fall"})
    assert later.json()["alarm_id"] not in (None, alarm_id)
    await client.post(
        f"{APP}/alarms/{later.json()['alarm_id']}/close",
        json={"outcome": "false_alarm"},
        headers=home.son.headers,
    )
    listed = (
        await client.get(f"{APP}/elders/{home.elder_id}/devices", headers=home.son.headers)
    ).json()
    assert [(d["device"], d["open_alarm_id"]) for d in listed["items"]] == [("fall-0001", None)]


async def test_bad_signatures_and_stale_or_future_readings_are_refused_and_write_nothing(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    home = await _home(app, client, token_for_phone)
    await _enrol(client, token_for, home, "fall-0002", "fall_detector")
    fall = {"event_id": "e-1", "type": "fall"}
    refusals = [
        (
            await _send(client, home, "fall-0002", fall, key="another key"),
            401,
            "home_device_refused",
        ),
        (await _send(client, home, "fall-9999", fall), 401, "home_device_refused"),
        (await _send(client, home, "fall-0002", fall, skew=-301), 401, "home_device_reading_stale"),
        (await _send(client, home, "fall-0002", fall, skew=31), 422, "home_device_clock_ahead"),
        # Past the years a date can hold, yet signed: still a clock ahead, not a failure.
        (await _send(client, home, "fall-0002", fall, skew=10**11), 422, "home_device_clock_ahead"),
        (
            await _send(client, home, "fall-0002", {"event_id": "e" * 64 + "\n", "type": "fall"}),
            400,
            None,
        ),
        (
            await _send(client, home, "fall-0002", {"event_id": "e-1", "type": "smoke"}),
            422,
            "reading_not_for_device",
        ),
        (await _send(client, home, "fall-0002", {"event_id": "e 1", "type": "fall"}), 400, None),
        (
            await _send(client, home, "fall-0002", fall, headers={"Content-Type": "text/plain"}),
            415,
            None,
        ),
    ]
    for answer, status, code in refusals:
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        if code:
            assert answer.json()["code"] == code
    assert await DeviceReading.count() == 0
    assert await Alarm.count() == 0
    [device] = await Device.select(Device.last_seen_at)
    assert device["last_seen_at"] is None
    # Within its five minutes, the same reading is taken.
    taken = await _send(client, home, "fall-0002", fall, skew=-299)
    assert taken.status_code == 200, taken.text


async def test_a_quiet_home_raises_one_alarm_that_signs_of_life_end(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    home = await _home(app, client, token_for_phone)
    start = home.clock.now
    enrolled = await _enrol(client, token_for, home, "water-01", "water_meter")
    assert enrolled.status_code == 201, enrolled.text
    home.clock.at(3600, start)
    # A meter that saw no water used says so with 0: a heartbeat, not a sign of life.
    none_used = await _send(
        client, home, "water-01", {"event_id": "h1", "type": "water_use", "value": 0}
    )
    assert none_used.json()["alarm_id"] is None
    home.clock.at(24 * 3600 - 1, start)
    assert await sweep_devices(home.clock.runtime) == 0
    home.clock.at(24 * 3600, start)
    swept = await asyncio.gather(*(sweep_devices(home.clock.runtime) for _ in range(3)))
    assert sum(swept) == 1
    assert await sweep_devices(home.clock.runtime) == 0
    [alarm] = await Alarm.select(Alarm.id, Alarm.kind, Alarm.status)
    assert (alarm["kind"], alarm["status"]) == ("device", "raised")
    assert await _rung(alarm["id"]) == [f"user:{home.son.user_id}"]

    used = await _send(
        client, home, "water-01", {"event_id": "u1", "type": "water_use", "value": 3.5}
    )
    assert used.status_code == 200, used.text
    ended = await Alarm.select(Alarm.status, Alarm.outcome).where(Alarm.id == alarm["id"]).first()
    assert ended == {"status": "closed", "outcome": "activity_resumed"}
    home.clock.at(10_000_000, start)
    assert await ring_due(home.clock.runtime) == 0
    # Quiet again for a day from that use: a new alarm (and, silent as long, a flag).
    home.clock.at(48 * 3600, start)
    assert await sweep_devices(home.clock.runtime) == 2
    assert await Alarm.count() == 2


async def test_a_silent_device_is_flagged_to_the_care_worker_once(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    home = await _home(app, client, token_for_phone)
    start = home.clock.now
    await _enrol(client, token_for, home, "smoke-01", "smoke_alarm")
    care_worker = await token_for(Role.CARE_WORKER)
    care_headers = bearer(care_worker)

    async def flags() -> int:
        await notices_recorded()
        rows = await InboxItem.select(InboxItem.title).where(InboxItem.title.like("设备无信号%"))
        return len(rows)

    home.clock.at(12 * 3600, start)
    heartbeat = await _send(client, home, "smoke-01", {"event_id": "hb1", "type": "heartbeat"})
    assert heartbeat.json() == {"event_id": "hb1", "replayed": False, "alarm_id": None}
    home.clock.at(36 * 3600 - 1, start)
    assert await sweep_devices(home.clock.runtime) == 0
    home.clock.at(36 * 3600, start)
    assert await sweep_devices(home.clock.runtime) == 1
    assert await sweep_devices(home.clock.runtime) == 0
    assert await flags() == 1
    listed = (
        await client.get(f"{APP}/elders/{home.elder_id}/devices", headers=care_headers)
    ).json()
    assert listed["items"][0]["silent"] is True
    assert await Alarm.count() == 0  # silence is for the care worker, not an alarm

    await _send(client, home, "smoke-01", {"event_id": "hb2", "type": "heartbeat"})
    listed = (
        await client.get(f"{APP}/elders/{home.elder_id}/devices", headers=care_headers)
    ).json()
    assert listed["items"][0]["silent"] is False
    home.clock.at(60 * 3600, start)
    assert await sweep_devices(home.clock.runtime) == 1
    assert await flags() == 2


async def test_who_may_enrol_list_and_retire_devices(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    home = await _home(app, client, token_for_phone)
    path = f"{APP}/elders/{home.elder_id}/devices"
    body = {"device": "door-01", "kind": "door_sensor"}
    by_elder = await client.post(path, json=body, headers=home.elder.headers)
    assert (by_elder.status_code, by_elder.json()["code"]) == (403, "care_staff_only")
    other_grid = await someone(client, token_for_phone, WORKER_G08)
    elsewhere = await client.post(path, json=body, headers=other_grid.headers)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "elder_not_found")
    assert (await client.get(path, headers=other_grid.headers)).status_code == 404
    for serial in ("door-01\n", "d" * 64 + "\n", "d" * 65):
        odd = await _enrol(client, token_for, home, serial, "door_sensor")
        assert odd.status_code == 400, (serial, odd.text)
    fall_quiet = await _enrol(client, token_for, home, "fall-03", "fall_detector", quiet_hours=12)
    assert (fall_quiet.status_code, fall_quiet.json()["code"]) == (422, "quiet_not_for_kind")
    assert await Device.count() == 0

    worker = await someone(client, token_for_phone, WORKER_G07)
    made = await client.post(path, json={**body, "quiet_hours": 48}, headers=worker.headers)
    assert made.status_code == 201, made.text
    home.secrets["door-01"] = made.json()["secret"]
    twice = await _enrol(client, token_for, home, "door-01", "water_meter")
    assert (twice.status_code, twice.json()["code"]) == (409, "home_device_exists")
    listed = (await client.get(path, headers=home.son.headers)).json()["items"]
    assert [(d["device"], d["kind"], d["quiet_hours"]) for d in listed] == [
        ("door-01", "door_sensor", 48)
    ]

    by_son = await client.delete(f"{path}/door-01", headers=home.son.headers)
    assert (by_son.status_code, by_son.json()["code"]) == (403, "care_staff_only")
    gone = await client.delete(f"{path}/door-01", headers=worker.headers)
    assert gone.status_code == 204, gone.text
    again = await client.delete(f"{path}/door-01", headers=worker.headers)
    assert (again.status_code, again.json()["code"]) == (404, "home_device_not_found")
    retired = await _send(client, home, "door-01", {"event_id": "d1", "type": "door_open"})
    assert (retired.status_code, retired.json()["code"]) == (401, "home_device_refused")


async def test_a_door_opened_is_a_sign_of_life_whatever_its_value(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    home = await _home(app, client, token_for_phone)
    start = home.clock.now
    await _enrol(client, token_for, home, "door-02", "door_sensor")
    home.clock.at(3600, start)
    opened = await _send(
        client, home, "door-02", {"event_id": "o1", "type": "door_open", "value": 0}
    )
    assert opened.status_code == 200, opened.text
    listed = (
        await client.get(f"{APP}/elders/{home.elder_id}/devices", headers=home.son.headers)
    ).json()
    assert listed["items"][0]["last_activity_at"] is not None
    home.clock.at(36 * 3600, start)  # 35 hours after the door was opened: silent, not quiet
    assert await sweep_devices(home.clock.runtime) == 1
    assert await Alarm.count() == 0
    home.clock.at(37 * 3600, start)
    assert await sweep_devices(home.clock.runtime) == 1
    assert await Alarm.count() == 1


async def test_the_open_sos_is_found_however_many_device_alarms_came_after(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=30, gap=60)
    home = await _home(app, client, token_for_phone)
    sos = f"{APP}/elders/{home.elder_id}/sos"
    cancelled = (await client.post(sos, json={}, headers=home.elder.headers)).json()["id"]
    assert (
        await client.post(f"{APP}/alarms/{cancelled}/cancel", headers=home.elder.headers)
    ).status_code == 200
    pressed = (await client.post(sos, json={}, headers=home.elder.headers)).json()["id"]
    assert (await _enrol(client, token_for, home, "fall-0001", "fall_detector")).status_code == 201
    fell = await _send(client, home, "fall-0001", {"event_id": "e-1", "type": "fall"})
    device = fell.json()["alarm_id"]
    assert device is not None, fell.text

    async def listed(**query: str) -> list[int]:
        answer = await client.get(
            f"{APP}/elders/{home.elder_id}/alarms", params=query, headers=home.son.headers
        )
        assert answer.status_code == 200, answer.text
        return [item["id"] for item in answer.json()["items"]]

    assert await listed() == [device, pressed, cancelled]
    assert await listed(kind="sos", open="true", limit="1") == [pressed]
    assert await listed(open="true") == [device, pressed]
    assert await listed(kind="sos") == [pressed, cancelled]
    assert await listed(kind="device", open="false") == [device]
    for bad in ({"kind": "fire"}, {"open": "maybe"}):
        refused = await client.get(
            f"{APP}/elders/{home.elder_id}/alarms", params=bad, headers=home.son.headers
        )
        assert refused.status_code == 400, refused.text
