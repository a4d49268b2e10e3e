"""A grid event followed to the phone: a resident's report through a `yimen serve` process,
the dispatch push through a `yimen worker` on a real Redis, the real firebase-admin client,
and the FCM stand-in, which must hold exactly the message we send and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from push.fanout import Status
from push.tables import Delivery, Notification
from tests.e2e.processes import (
    RedisServer,
    access_token,
    fcm,
    firebase_env,
    fleet,
    redis_server,
)
from tests.push.fcm_standin import FcmStandIn
from tests.support import eventually

__all__ = ["fcm", "redis_server"]

RESIDENT, G07_WORKER, G08_WORKER = "13800000001", "13800000003", "13800000004"
PHONES = {RESIDENT: "token-resident", G07_WORKER: "token-g07-worker", G08_WORKER: "fid-g08-worker"}
FALL = {  # an elderly alert inside g07: urgent, so dispatched to g07's worker on report
    "category": "elderly_alert",
    "description": "独居老人摔倒",
    "lat": 34.805,
    "lon": 113.555,
}


async def _user(vault: Vault, phone: str) -> int:
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    row = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup).first()
    assert row is not None
    return int(row["id"])


async def _register_phones(
    http: httpx.AsyncClient, api: str, settings: Settings, vault: Vault
) -> dict[str, str]:
    """Each person's phone registered through the API; their tokens by phone number."""
    tokens = {}
    for phone, address in PHONES.items():
        tokens[phone] = await access_token(settings, await _user(vault, phone))
        kind = "fid" if address.startswith("fid-") else "token"
        response = await http.post(
            f"{api}/v1/devices",
            json={"address": address, "kind": kind, "platform": "android"},
            headers={"Authorization": f"Bearer {tokens[phone]}"},
        )
        assert response.status_code == 201, response.text
    return tokens


async def _all_settled() -> bool:
    """Every notification fanned out and none of its deliveries still waiting to go."""
    made = await Notification.count()
    fanned = await Notification.count().where(Notification.fanned_out_at.is_not_null())
    busy = await Delivery.count().where(Delivery.status.is_in([Status.PENDING, Status.SENDING]))
    return made > 0 and made == fanned and busy == 0


async def test_a_reported_fall_reaches_the_g07_workers_phone_and_no_other(
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
        tokens = await _register_phones(http, api, settings, vault)
        reported = await http.post(
            f"{api}/v1/miniapps/grid_events/events",
            json=FALL,
            headers={"Authorization": f"Bearer {tokens[RESIDENT]}"},
        )
        assert reported.status_code == 201, reported.text
        event = reported.json()
        assert event["handler_id"] == await _user(vault, G07_WORKER)

        async def arrived() -> bool:
            return len(fcm.received) >= 1

        await eventually(arrived, 60, what="the dispatch push at the stand-in")
        await eventually(_all_settled, 60, what="every delivery settled")

    notification = await Notification.select(Notification.id).first()
    assert notification is not None
    assert await Notification.count() == 1
    assert [_sent(m) for m in fcm.received] == [
        _dispatch_push(event["id"], notification["id"], "token-g07-worker")
    ]
    assert fcm.sent_to() == {"token-g07-worker": 1}
    assert fcm.delivered_to() == {"token-g07-worker": 1}


def _sent(message: dict[str, Any]) -> dict[str, Any]:
    """A message as firebase-admin sent it, without what the stand-in noted beside it."""
    assert message["_validate_only"] is False
    return {key: value for key, value in message.items() if not key.startswith("_")}


def _dispatch_push(event: int, notification: int, token: str) -> dict[str, Any]:
    collapse = f"grid_events.{event}"
    return {
        "token": token,
        "notification": {"title": f"事件{event}:派遣给您", "body": "老人求助"},
        "data": {
            "event": str(event),
            "step": "dispatch",
            "step_zh": "派遣给您",
            "step_en": "dispatched to you",
            "category": "elderly_alert",
            "category_zh": "老人求助",
            "category_en": "Elderly person alert",
            "notification_id": str(notification),
            "deep_link": f"yimen://miniapps/grid_events/events/{event}",
        },
        "android": {
            "priority": "high",
            "ttl": "3600s",
            "collapse_key": collapse,
            "notification": {"channel_id": "urgent", "tag": collapse},
        },
        "apns": {
            "headers": {
                "apns-priority": "10",
                "apns-push-type": "alert",
                "apns-collapse-id": collapse,
            },
            "payload": {"aps": {"sound": "default", "interruption-level": "time-sensitive"}},
        },
    }
