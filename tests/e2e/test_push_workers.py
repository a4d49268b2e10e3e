"""Push through real arq workers on a real Redis to the FCM stand-in."""

from __future__ import annotations

import signal
from pathlib import Path

from backend.directory.users.service import account_for_phone
from backend.host import Host
from backend.kernel.audience import Audience
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from push.fanout import Status
from push.sending import CHUNK
from push.tables import Delivery, Device
from tests.e2e.processes import (
    RedisServer,
    api_host,
    fcm,
    firebase_env,
    fleet,
    redis_server,
)
from tests.push.fcm_standin import FcmStandIn
from tests.push.helpers import tell
from tests.support import eventually

__all__ = ["api_host", "fcm", "redis_server"]


async def _phone_with_devices(vault: Vault, count: int) -> int:
    user_id = await account_for_phone(phone="13900009999", vault=vault)
    await Device.insert(
        *[
            Device(user_id=user_id, kind="token", address=f"token-{n:05d}", platform="android")
            for n in range(count)
        ]
    )
    return user_id


async def _received(fcm: FcmStandIn, count: int, seconds: float = 60) -> None:
    async def arrived() -> bool:
        return len(fcm.received) >= count

    await eventually(arrived, seconds, what=f"{count} messages at the stand-in")


async def test_a_real_worker_delivers(
    settings: Settings,
    redis_server: RedisServer,
    api_host: Host,
    fcm: FcmStandIn,
    vault: Vault,
    tmp_path: Path,
) -> None:
    user = await _phone_with_devices(vault, 3)
    async with fleet(settings.database_url, redis_server.url, firebase_env(fcm, tmp_path)) as group:
        await group.worker()
        await tell(Audience.users(user), urgent=True)
        await _received(fcm, 3)
    assert fcm.delivered_to() == {f"token-{n:05d}": 1 for n in range(3)}


async def test_a_worker_killed_mid_batch_leaves_every_device_one_message(
    settings: Settings,
    redis_server: RedisServer,
    api_host: Host,
    fcm: FcmStandIn,
    vault: Vault,
    tmp_path: Path,
) -> None:
    devices = 10 * CHUNK
    user = await _phone_with_devices(vault, devices)
    async with fleet(settings.database_url, redis_server.url, firebase_env(fcm, tmp_path)) as group:
        fcm.hold(after=2 * CHUNK + CHUNK // 2)  # answers stop half-way through the third chunk
        first = await group.worker()
        await tell(Audience.users(user), urgent=True)
        await _received(fcm, 3 * CHUNK)  # the whole third chunk is on the wire
        first.send_signal(signal.SIGKILL)
        await first.wait()
        fcm.release()
        await group.worker()
        await _received(fcm, devices, seconds=90)

        async def recorded() -> bool:
            """All sent but the chunk the killed worker had on the wire, which stays
            claimed until its lease runs out and is then unconfirmed, never resent."""
            sent = await Delivery.count().where(Delivery.status == Status.SENT)
            return sent == devices - CHUNK

        await eventually(recorded, 60, what="the second worker's sends recorded")
    sent_to = fcm.sent_to()
    assert len(sent_to) == devices
    assert set(sent_to.values()) == {1}
    assert await Delivery.count().where(Delivery.status == Status.PENDING) == 0
    assert await Delivery.count().where(Delivery.status == Status.SENDING) == CHUNK
