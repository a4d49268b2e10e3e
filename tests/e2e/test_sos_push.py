"""Elderly care followed to the phones, through `yimen serve` and `yimen worker` processes
on a real Redis, the real firebase-admin client and the FCM stand-in: an SOS rings the
contact, whose answer reaches the elder as "help is coming"; a missed check-in reminds the
elder, then becomes a grid event whose dispatch reaches the grid worker's phone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from backend.host import Host
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from miniapps.elderly_care.cascade import ring_due
from miniapps.elderly_care.checkins import raise_missed
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.grid_events.tables import GridEvent
from tests.e2e.processes import (
    RedisServer,
    access_token,
    api_host,
    fcm,
    firebase_env,
    fleet,
    redis_server,
)
from tests.e2e.test_grid_event_push import _user
from tests.push.fcm_standin import FcmStandIn
from tests.support import eventually

__all__ = ["api_host", "fcm", "redis_server"]

APP = "/v1/miniapps/elderly_care"
ELDER, SON, ADMIN_C03 = "13800000001", "13800000011", "13800000005"
WORKER_G07 = "13800000003"
PHONES = {ELDER: "token-elder", SON: "token-son"}


def _titled(fcm: FcmStandIn, start: str) -> list[dict[str, Any]]:
    return [m for m in fcm.received if m["notification"]["title"].startswith(start)]


async def test_an_sos_reaches_the_contacts_phone_and_the_answer_the_elders(
    settings: Settings,
    redis_server: RedisServer,
    fcm: FcmStandIn,
    vault: Vault,
    demo: None,
    tmp_path: Path,
) -> None:
    async with (
        fleet(settings.database_url, redis_server.url, firebase_env(fcm, tmp_path)) as group,
        httpx.AsyncClient(timeout=30) as http,
    ):
        api = await group.api()
        await group.worker()
        headers = {}
        for phone in (ELDER, SON, ADMIN_C03):
            token = await access_token(settings, await _user(vault, phone))
            headers[phone] = {"Authorization": f"Bearer {token}"}
        for phone, address in PHONES.items():
            device = {"address": address, "kind": "token", "platform": "android"}
            made = await http.post(f"{api}/v1/devices", json=device, headers=headers[phone])
            assert made.status_code == 201, made.text
        # Rung at once, and nobody else for ten minutes: the son alone is rung here.
        timing = {
            "community": "zz/gx/fengyang/c03",
            "cancel_window_seconds": 0,
            "ring_gap_seconds": 600,
            "escalate_after_seconds": 600,
        }
        ruled = await http.put(f"{api}{APP}/sos-rules", json=timing, headers=headers[ADMIN_C03])
        assert ruled.status_code == 200, ruled.text
        elder_id = (await http.post(f"{api}{APP}/elders", json={}, headers=headers[ELDER])).json()[
            "id"
        ]
        invite = (
            await http.get(f"{api}{APP}/elders/{elder_id}/invite", headers=headers[ELDER])
        ).json()["invite"]
        asked = await http.post(
            f"{api}{APP}/family/asks",
            json={"invite": invite, "relation": "儿子"},
            headers=headers[SON],
        )
        await http.post(
            f"{api}{APP}/elders/{elder_id}/family/{asked.json()['id']}/accept",
            json={},
            headers=headers[ELDER],
        )

        raised = await http.post(f"{api}{APP}/elders/{elder_id}/sos", headers=headers[ELDER])
        assert raised.status_code == 201, raised.text
        alarm = raised.json()["id"]

        async def rung() -> bool:
            return bool(_titled(fcm, "紧急求助"))

        await eventually(rung, 60, what="the SOS push at the stand-in")
        [sos] = _titled(fcm, "紧急求助")
        assert sos["token"] == "token-son"
        assert sos["android"]["priority"] == "high"
        assert sos["data"]["deep_link"] == f"yimen://miniapps/elderly_care/alarms/{alarm}"

        answered = await http.post(f"{api}{APP}/alarms/{alarm}/acknowledge", headers=headers[SON])
        assert answered.status_code == 200, answered.text

        async def told() -> bool:
            return bool(_titled(fcm, "已有人响应"))

        await eventually(told, 60, what="the elder's help-is-coming push")
        [coming] = _titled(fcm, "已有人响应")
        assert coming["token"] == "token-elder"
    assert len(_titled(fcm, "紧急求助")) == 1


async def test_a_missed_checkin_reaches_the_elder_then_the_grid_workers_phone(
    settings: Settings,
    redis_server: RedisServer,
    fcm: FcmStandIn,
    vault: Vault,
    demo: None,
    api_host: Host,
    tmp_path: Path,
) -> None:
    care = api_host.services.runtime(CareRuntime)
    async with (
        fleet(settings.database_url, redis_server.url, firebase_env(fcm, tmp_path)) as group,
        httpx.AsyncClient(timeout=30) as http,
    ):
        api = await group.api()
        await group.worker()
        headers = {}
        for phone, address in ((ELDER, "token-elder"), (WORKER_G07, "token-g07-worker")):
            token = await access_token(settings, await _user(vault, phone))
            headers[phone] = {"Authorization": f"Bearer {token}"}
            device = {"address": address, "kind": "token", "platform": "android"}
            made = await http.post(f"{api}/v1/devices", json=device, headers=headers[phone])
            assert made.status_code == 201, made.text
        elder_id = (await http.post(f"{api}{APP}/elders", json={}, headers=headers[ELDER])).json()[
            "id"
        ]
        # A day a week ahead, the plan's only one: the API sets the plan by the real clock,
        # and a plan counts from the day it is set.
        city = ZoneInfo("Asia/Shanghai")
        day = dt.datetime.now(city).date() + dt.timedelta(days=7)
        plan = {"starts": "08:00", "ends": "10:00", "days": [day.isoweekday()]}
        planned = await http.put(
            f"{api}{APP}/elders/{elder_id}/checkin-plan", json=plan, headers=headers[ELDER]
        )
        assert planned.status_code == 200, planned.text

        # This process sweeps as a worker's cron would, on a clock it moves; the worker
        # process delivers what the sweep wrote to the outbox.
        noon = dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=city)
        care.clock = lambda: noon.astimezone(dt.UTC)
        assert await raise_missed(care) == 1  # its reminder rings with it

        async def reminded() -> bool:
            return bool(_titled(fcm, "平安打卡"))

        await eventually(reminded, 60, what="the elder's reminder at the stand-in")
        assert _titled(fcm, "平安打卡")[0]["token"] == "token-elder"

        later = noon + dt.timedelta(minutes=30)
        care.clock = lambda: later.astimezone(dt.UTC)
        assert await ring_due(care) == 1  # no contacts: the grid event comes next

        async def dispatched() -> bool:
            return bool(_titled(fcm, "事件"))

        await eventually(dispatched, 60, what="the grid worker's dispatch push")
        [push] = _titled(fcm, "事件")
        assert push["token"] == "token-g07-worker"
        event = await GridEvent.select().first()
        assert event is not None
        assert (event["category"], event["grid_path"]) == (
            "elderly_alert",
            "zz/gx/fengyang/c03/g07",
        )
        assert push["data"]["deep_link"] == f"yimen://miniapps/grid_events/events/{event['id']}"
