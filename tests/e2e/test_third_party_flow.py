"""A third party's whole way through the open platform, its server a process of its own that
speaks to Yimen's API process over HTTP: it registers and submits its app, the city approves
it and one district switches it on, a resident launches it, and its server trades the code,
reads what the resident shares and sends a notification, which a `yimen worker` pushes
through the real firebase-admin client to the FCM stand-in. When the resident revokes their
consent, the worker POSTs the app a webhook, signed so that the guide's code verifies it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from tests.e2e.processes import (
    RedisServer,
    access_token,
    fcm,
    firebase_env,
    fleet,
    redis_server,
)
from tests.push.fcm_standin import FcmStandIn
from tests.support import eventually, free_port

__all__ = ["fcm", "redis_server"]

OPEN = "/v1/miniapps/open_platform"
DEVELOPER, PLATFORM, DISTRICT_GX, RESIDENT = (
    "13800000014",
    "13800000007",
    "13800000006",
    "13800000001",
)
ASKS = ["data.name", "data.notifications", "notify.send", "profile.read"]


async def _bearer(settings: Settings, vault: Vault, phone: str) -> dict[str, str]:
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    row = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup).first()
    assert row is not None
    return {"Authorization": f"Bearer {await access_token(settings, int(row['id']))}"}


async def _ok(answer: Any) -> Any:
    response = await answer
    assert response.is_success, f"{response.request.url}: {response.status_code} {response.text}"
    return response.json() if response.content else None


async def test_a_third_party_server_from_registration_to_a_signed_webhook(
    settings: Settings,
    redis_server: RedisServer,
    fcm: FcmStandIn,
    vault: Vault,
    demo: None,
    tmp_path: Path,
) -> None:
    port = free_port()
    metro = f"http://127.0.0.1:{port}"
    extra = {**firebase_env(fcm, tmp_path), "YIMEN_OPEN_WEBHOOK_RELAY": f"{metro}/yimen/hooks"}
    people = {phone: await _bearer(settings, vault, phone) for phone in (PLATFORM, DISTRICT_GX)}
    resident = await _bearer(settings, vault, RESIDENT)
    developer = await _bearer(settings, vault, DEVELOPER)
    async with (
        fleet(settings.database_url, redis_server.url, extra) as group,
        httpx.AsyncClient(timeout=30) as http,
    ):
        api = await group.api(tmp_path / "api.log")
        await group.worker(tmp_path / "worker.log")
        await group.server(
            "tests.e2e.metro_server", [str(port), api], f"{metro}/heard", tmp_path / "metro.log"
        )
        yimen = api + OPEN

        # The metro registers; the platform verifies it, reviews its app; it releases.
        token = developer["Authorization"].removeprefix("Bearer ")
        publisher = await _ok(
            http.post(f"{metro}/console/publisher", json={"developer_token": token})
        )
        await _ok(
            http.post(
                f"{yimen}/publishers/{publisher['publisher_id']}/verification",
                json={"verified": True},
                headers=people[PLATFORM],
            )
        )
        app = await _ok(http.post(f"{metro}/console/app"))
        await _ok(
            http.post(
                f"{yimen}/versions/{app['version_id']}/review",
                json={"approved": True},
                headers=people[PLATFORM],
            )
        )
        await _ok(http.post(f"{metro}/console/release"))
        # 高新区 switches it on; a resident of 高新区 with a phone opens it.
        await _ok(
            http.post(
                f"{yimen}/apps/{app['app_id']}/district",
                json={"district": "zz/gx", "enabled": True, "asks": ASKS},
                headers=people[DISTRICT_GX],
            )
        )
        device = {"address": "token-resident", "kind": "token", "platform": "android"}
        await _ok(http.post(f"{api}/v1/devices", json=device, headers=resident))
        launched = await _ok(
            http.post(
                f"{yimen}/apps/{app['app_id']}/launch",
                json={"consent": ["name", "notifications"]},
                headers=resident,
            )
        )

        # The H5 page hands the code to the metro's server.
        login = await _ok(http.post(f"{metro}/h5/login", json={"code": launched["code"]}))
        openid = login["session"]["openid"]
        assert login["session"]["claims"] == {"name": "王居民"}
        assert login["profile"] == {"openid": openid, "claims": {"name": "王居民"}}
        assert login["notified"][0] == 200, login["notified"]
        assert login["notified"][1]["template"] == "card_ready"

        async def pushed() -> bool:
            return bool(fcm.received)

        await eventually(pushed, 60, what="the metro's notification at the FCM stand-in")
        [message] = fcm.received
        assert message["token"] == "token-resident"
        assert message["notification"] == {
            "title": "乘车码已开通",
            "body": "王居民,您的乘车码已开通",
        }
        assert (
            message["data"]["deep_link"] == f"yimen://miniapps/open_platform/apps/{app['app_id']}"
        )

        # The resident revokes their consent to notifications; the metro hears, signed.
        await _ok(
            http.delete(
                f"{api}/v1/me/consents/{app['app_id']}?field=notifications", headers=resident
            )
        )

        async def heard() -> list[dict[str, Any]]:
            return list((await http.get(f"{metro}/heard")).json())

        async def told() -> bool:
            return bool(await heard())

        await eventually(told, 60, what="the consent.revoked webhook at the metro's server")
        [hook] = await heard()
        assert hook["verified"] is True
        assert hook["url"] == "https://api.metro.example.com/yimen/hooks"
        assert hook["body"]["type"] == "consent.revoked"
        assert hook["body"]["app_id"] == app["app_id"]
        assert hook["body"]["data"] == {"openid": openid, "fields": ["notifications"]}

        # From now on the metro's notifications are refused, and nothing more is pushed.
        relaunched = await _ok(
            http.post(f"{yimen}/apps/{app['app_id']}/launch", json={}, headers=resident)
        )
        login = await _ok(http.post(f"{metro}/h5/login", json={"code": relaunched["code"]}))
        assert login["notified"][0] == 403
        assert login["notified"][1]["code"] == "open_notify_consent_missing"
    assert len(fcm.received) == 1
