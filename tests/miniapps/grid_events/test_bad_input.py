"""Bad input to grid events is a 4xx problem that changes nothing: paths that name no unit,
a device name enrolled twice (even at once), sensor headers that are not what they claim,
numbers out of range. Never a 500."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from miniapps.grid_events.sensors import signature
from miniapps.grid_events.tables import DispatchRule, GridEvent, Sensor, TimelineEntry
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import (
    C03_ADMIN,
    G07_WORKER,
    MANHOLE,
    RESIDENT,
    People,
)

BASE = "/v1/miniapps/grid_events"
GX_ADMIN = "13800000006"
G07, NO_GRID = "zz/gx/fengyang/c03/g07", "zz/gx/fengyang/c03/g99"
DEVICE = "tilt-0007"


async def _enrol(people: People, **change: Any) -> httpx.Response:
    sensor = {"device": DEVICE, "grid_path": G07, "category": "manhole_cover", "threshold": 15.0}
    return await people.client.post(
        f"{BASE}/sensors",
        json={**sensor, **change},
        headers=bearer(await people.token(C03_ADMIN)),
    )


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


@pytest.mark.parametrize("place", [NO_GRID, "zz/gx/fengyang/c03/g07/x1", "zz/gx/fengyang/c03/G07"])
async def test_a_rule_for_a_place_that_does_not_exist_is_refused(
    people: People, demo: None, place: str
) -> None:
    response = await people.client.put(
        f"{BASE}/rules",
        json={
            "category": "elderly_alert",
            "place_path": place,
            "handler_id": await people.id(G07_WORKER),
        },
        headers=bearer(await people.token(C03_ADMIN)),
    )
    _problem(response, 422, "org_unit_unknown")
    assert await DispatchRule.count() == 0


@pytest.mark.parametrize("grid", [NO_GRID, "zz/gx/fengyang/c03", "zz/gx/fengyang/c03/"])
async def test_a_sensor_is_enrolled_only_in_a_grid_that_exists(
    people: People, demo: None, grid: str
) -> None:
    _problem(await _enrol(people, grid_path=grid), 422, "org_unit_unknown")
    assert await Sensor.count() == 0


async def test_a_sensor_of_an_unknown_category_is_refused(people: People, demo: None) -> None:
    _problem(await _enrol(people, category="ufo"), 422, "sensor_category_unknown")
    assert await Sensor.count() == 0


async def test_a_device_name_enrolled_twice_is_a_conflict_even_at_once(
    people: People, demo: None
) -> None:
    answers = await asyncio.gather(*[_enrol(people) for _ in range(10)])
    assert sorted(a.status_code for a in answers) == [201] + [409] * 9
    first = next(a for a in answers if a.status_code == 201).json()["secret"]
    _problem(await _enrol(people, threshold=1.0), 409, "sensor_exists")
    assert await Sensor.select(Sensor.threshold) == [{"threshold": 15.0}]
    # the device keeps the secret it was first given
    assert await _read(people, first, 3.0, stamp=str(int(time.time()))) == 200


async def _read(
    people: People,
    secret: str,
    value: float,
    *,
    stamp: str,
    headers: dict[str, Any] | None = None,
    body: bytes | None = None,
) -> int:
    body = body if body is not None else json.dumps({"value": value}).encode()
    response = await people.client.post(
        f"{BASE}/sensors/{DEVICE}/readings",
        content=body,
        headers={
            "X-Yimen-Timestamp": stamp,
            "X-Yimen-Signature": signature(secret, stamp, body),
            **(headers or {}),
        },
    )
    assert response.status_code < 500, response.text
    return response.status_code


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Yimen-Timestamp": "²".encode("latin-1")},  # a digit to isdigit(), not to int()
        {"X-Yimen-Timestamp": "٣".encode()},
        {"X-Yimen-Timestamp": "1" * 40},
        {"X-Yimen-Signature": b"\xe9" * 64},  # compare_digest refuses non-ASCII text
        {"X-Yimen-Signature": "签名".encode()},
    ],
    ids=["superscript", "arabic-indic", "huge", "latin-1", "utf-8"],
)
async def test_sensor_headers_that_are_not_ascii_digits_or_hex_are_refused(
    people: People, demo: None, headers: dict[str, Any]
) -> None:
    secret = (await _enrol(people)).json()["secret"]
    assert await _read(people, secret, 30.0, stamp=str(int(time.time())), headers=headers) == 401
    assert await GridEvent.count() == 0
    assert await Sensor.select(Sensor.last_timestamp) == [{"last_timestamp": 0}]


async def test_a_timestamp_ahead_of_our_clock_does_not_lock_the_device_out(
    people: People, demo: None
) -> None:
    secret = (await _enrol(people)).json()["secret"]
    now = int(time.time())
    assert await _read(people, secret, 3.0, stamp=str(now + 200)) == 401
    assert await _read(people, secret, 3.0, stamp=str(now)) == 200


async def test_a_refused_reading_does_not_take_its_timestamp(people: People, demo: None) -> None:
    secret = (await _enrol(people)).json()["secret"]
    now = int(time.time())
    assert await _read(people, secret, 0, stamp=str(now), body=b'{"temp": "hot"}') == 400
    assert await _read(people, secret, 30.0, stamp=str(now - 1)) == 200
    assert await GridEvent.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"category": "manhole_cover", "description": "x", "lat": NaN, "lon": 113.5}',
        b'{"category": "manhole_cover", "description": "x", "lat": "nan", "lon": 113.5}',
        b'{"category": "manhole_cover", "description": "x", "lat": 1e999, "lon": 113.5}',
        b'{"category": "manhole_cover", "description": "x", "lat": 34.8, "lon": -Infinity}',
    ],
)
async def test_a_report_at_no_real_place_is_refused(
    people: People, demo: None, body: bytes
) -> None:
    response = await people.client.post(
        f"{BASE}/events",
        content=body,
        headers={**bearer(await people.token(RESIDENT)), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert await GridEvent.count() == 0


async def test_ids_past_bigint_in_a_body_are_refused(people: People, demo: None) -> None:
    admin = bearer(await people.token(C03_ADMIN))
    reported = await people.client.post(
        f"{BASE}/events", json=MANHOLE, headers=bearer(await people.token(RESIDENT))
    )
    event = reported.json()["id"]
    await people.client.post(
        f"{BASE}/events/{event}/actions", json={"action": "register"}, headers=admin
    )
    steps = await TimelineEntry.count()
    for handler in (2**63, 0, -1):
        dispatched = await people.client.post(
            f"{BASE}/events/{event}/actions",
            json={"action": "dispatch", "handler_id": handler},
            headers=admin,
        )
        assert dispatched.status_code == 400, dispatched.text
        rule = await people.client.put(
            f"{BASE}/rules",
            json={"category": "elderly_alert", "place_path": G07, "handler_id": handler},
            headers=admin,
        )
        assert rule.status_code == 400, rule.text
    assert await TimelineEntry.count() == steps
    assert await DispatchRule.count() == 0


@pytest.mark.parametrize(
    "change",
    [{"description": "井盖\u0000缺失"}, {"address": "科学大道\u0000"}, {"category": "\u0000"}],
)
async def test_text_with_a_nul_character_is_refused(
    people: People, demo: None, change: dict[str, str]
) -> None:
    response = await people.client.post(
        f"{BASE}/events", json={**MANHOLE, **change}, headers=bearer(await people.token(RESIDENT))
    )
    assert response.status_code == 400, response.text
    assert await GridEvent.count() == 0


async def test_a_step_or_reading_with_a_nul_character_is_refused(
    people: People, demo: None
) -> None:
    reported = await people.client.post(
        f"{BASE}/events", json=MANHOLE, headers=bearer(await people.token(RESIDENT))
    )
    cancelled = await people.client.post(
        f"{BASE}/events/{reported.json()['id']}/actions",
        json={"action": "cancel", "reason": "重复\u0000"},
        headers=bearer(await people.token(C03_ADMIN)),
    )
    assert cancelled.status_code == 400, cancelled.text
    secret = (await _enrol(people)).json()["secret"]
    body = json.dumps({"value": 30.0, "unit": "°\u0000"}).encode()
    assert await _read(people, secret, 0, stamp=str(int(time.time())), body=body) == 400
    assert await TimelineEntry.count() == 1  # the report's own step


@pytest.mark.parametrize("under", ["zz/gx/nowhere", "zz/gx/%"])
async def test_numbers_for_a_unit_that_does_not_exist_are_refused(
    people: People, demo: None, under: str
) -> None:
    response = await people.client.get(
        f"{BASE}/stats", params={"under": under}, headers=bearer(await people.token(GX_ADMIN))
    )
    _problem(response, 422, "org_unit_unknown")
