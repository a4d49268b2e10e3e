"""An SOS followed to the phones: raised through a `yimen serve` process, rung by a
`yimen worker` on a real Redis through the real firebase-admin client to the FCM stand-in;
the contact's answer reaches the elder's phone as "help is coming"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from tests.e2e.processes import RedisServer, access_token, fcm, firebase_env, fleet, redis_server
from tests.e2e.test_grid_event_push import _user
from tests.push.fcm_standin import FcmStandIn
from tests.support import eventually

__all__ = ["fcm", "redis_server"]

APP = "/v1/miniapps/elderly_care"
ELDER, SON, ADMIN_C03 = "13800000001", "13800000011", "13800000005"
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
