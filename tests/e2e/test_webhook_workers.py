"""Webhooks under a worker's death: a `yimen worker` SIGKILLed while third parties' servers
are answering loses no delivery; the next worker tries again what the dead one held, once
its lease ends."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal

import msgspec

from backend.host import Host
from backend.kernel.db import transaction
from backend.kernel.events import unit_of_work
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from miniapps.open_platform.schemas import WebhookEvent
from miniapps.open_platform.tables import AppVersion, OpenApp, WebhookDelivery
from miniapps.open_platform.webhook_keys import issue_key
from miniapps.open_platform.webhooks import tell
from tests.e2e.processes import RedisServer, api_host, fleet, redis_server
from tests.miniapps.open_platform.hook_receiver import HookReceiver, receiver
from tests.miniapps.open_platform.publishing import manifest

__all__ = ["api_host", "receiver", "redis_server"]

APP_ID = "yx00000000000000e2"
REVOKED = 20


async def _approved_app(vault: Vault) -> None:
    """An approved app whose webhook hears of revoked consents, with a key to sign by."""
    now = dt.datetime.now(dt.UTC)
    await OpenApp.insert(
        OpenApp(app_id=APP_ID, slug="metro-card", publisher_id=1, created_by=1, created_at=now)
    )
    await AppVersion.insert(
        AppVersion(
            app_id=APP_ID,
            number=1,
            label="1.0.0",
            manifest=msgspec.json.encode(manifest()).decode(),
            status="approved",
            created_by=1,
            created_at=now,
            reviewed_at=now,
        )
    )
    async with transaction():
        await issue_key(APP_ID, vault)


async def _all_delivered(seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.25)):
        rows = await WebhookDelivery.select(WebhookDelivery.status)
        if len(rows) == REVOKED and all(row["status"] == "delivered" for row in rows):
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"deliveries not all delivered: {rows}")


async def test_a_worker_killed_while_webhooks_are_in_flight_loses_none(
    settings: Settings,
    vault: Vault,
    redis_server: RedisServer,
    api_host: Host,
    receiver: HookReceiver,
) -> None:
    await _approved_app(vault)
    relay = {"YIMEN_OPEN_WEBHOOK_RELAY": receiver.url, "YIMEN_OPEN_WEBHOOK_TIMEOUT": "2"}
    receiver.hold = 1.5  # answers come slowly: the kill finds tries on the wire
    async with fleet(settings.database_url, redis_server.url, relay) as group:
        for n in range(REVOKED):
            async with unit_of_work():
                data: dict[str, object] = {"openid": f"{n:032x}", "fields": ["name"]}
                await tell(APP_ID, WebhookEvent.CONSENT_REVOKED, data)
        first = await group.worker()
        await receiver.arrivals(3, seconds=60)
        first.send_signal(signal.SIGKILL)
        await asyncio.wait_for(first.wait(), 30)
        delivered = await WebhookDelivery.count().where(WebhookDelivery.status == "delivered")
        assert delivered < REVOKED, "every webhook was delivered before the kill"
        receiver.hold = 0
        await group.worker()
        await _all_delivered()
    sent = {hook.json()["data"]["openid"] for hook in receiver.received}
    assert sent == {f"{n:032x}" for n in range(REVOKED)}
