"""Devices and the inbox through HTTP; pushes on the embedded default (no Firebase)."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar

from backend.kernel.audience import Audience
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from push.devices import prune_stale_devices
from push.fanout import Status
from push.inbox import unread_badge
from push.tables import Delivery, Device, InboxItem
from tests.conftest import Client, TokenFor, bearer
from tests.push.helpers import NEWS, settled, tell
from tests.support import auth_of

ANDROID = {"address": "fcm-token-aaaaaaaa", "platform": "android", "app_version": "5.1.0"}


async def _me(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def test_a_device_registers_once_and_can_change_hands(
    client: Client, token_for: TokenFor
) -> None:
    resident, worker = await token_for(Role.RESIDENT), await token_for(Role.GRID_WORKER)
    first = await client.post("/v1/devices", json=ANDROID, headers=bearer(resident))
    assert first.status_code == 201
    again = await client.post(
        "/v1/devices", json={**ANDROID, "app_version": "5.2.0"}, headers=bearer(resident)
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["app_version"] == "5.2.0"
    moved = await client.post("/v1/devices", json=ANDROID, headers=bearer(worker))
    assert moved.json()["id"] == first.json()["id"]
    assert await Device.count() == 1
    assert (await client.get("/v1/devices", headers=bearer(resident))).json()["items"] == []
    assert len((await client.get("/v1/devices", headers=bearer(worker))).json()["items"]) == 1


async def test_only_the_owner_unregisters(client: Client, token_for: TokenFor) -> None:
    resident, worker = await token_for(Role.RESIDENT), await token_for(Role.GRID_WORKER)
    device = (await client.post("/v1/devices", json=ANDROID, headers=bearer(resident))).json()
    other = await client.delete(f"/v1/devices/{device['id']}", headers=bearer(worker))
    assert other.status_code == 404
    mine = await client.delete(f"/v1/devices/{device['id']}", headers=bearer(resident))
    assert mine.status_code == 204
    assert (await Device.select(Device.active).first()) == {"active": False}


@pytest.mark.parametrize(
    "change",
    [
        {"platform": "symbian"},
        {"address": "x"},
        {"address": "a b c d e f g"},
        {"kind": "email"},
        {"locale": "fr"},
    ],
)
async def test_bad_devices_are_400_and_change_nothing(
    client: Client, token_for: TokenFor, change: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/devices", json={**ANDROID, **change}, headers=bearer(await token_for(Role.RESIDENT))
    )
    assert response.status_code == 400
    assert await Device.count() == 0


async def test_stale_devices_are_pruned(client: Client, token_for: TokenFor) -> None:
    await client.post("/v1/devices", json=ANDROID, headers=bearer(await token_for(Role.RESIDENT)))
    await Device.update({Device.last_seen: dt.datetime.now(dt.UTC) - dt.timedelta(days=271)}).where(
        Device.id > 0
    )
    device = await Device.select(Device.id, Device.user_id).first()
    assert device is not None
    await Delivery.insert(
        Delivery(
            notification_id=1,
            user_id=device["user_id"],
            device_id=device["id"],
            status=Status.PENDING,
        )
    )
    assert await prune_stale_devices() == 1
    assert await Device.count() == 0
    # a pending send to it is settled, not left for a claim that can no longer find it
    assert await Delivery.select(Delivery.status, Delivery.error).first() == {
        "status": Status.FAILED,
        "error": "device forgotten",
    }


async def test_the_inbox_pages_counts_and_marks_read(
    client: Client, token_for: TokenFor, app: Litestar
) -> None:
    token = await token_for(Role.RESIDENT)
    user_id = await _me(client, token)
    for n in range(5):
        await settled(await tell(Audience.users(user_id), NEWS, text=f"第{n}条"))
    first = (await client.get("/v1/inbox", params={"limit": 3}, headers=bearer(token))).json()
    assert [i["body"] for i in first["items"]] == ["第4条", "第3条", "第2条"]
    assert first["unread"] == 5
    rest = (
        await client.get(
            "/v1/inbox", params={"cursor": first["next_cursor"]}, headers=bearer(token)
        )
    ).json()
    assert [i["body"] for i in rest["items"]] == ["第1条", "第0条"]
    assert rest["next_cursor"] is None
    item = first["items"][0]["id"]
    assert (await client.post(f"/v1/inbox/{item}/read", headers=bearer(token))).status_code == 204
    claims = auth_of(app).tokens
    assert await unread_badge(await claims.verify(token)) == 4
    assert (await client.post("/v1/inbox/read-all", headers=bearer(token))).status_code == 204
    assert (await client.get("/v1/inbox", headers=bearer(token))).json()["unread"] == 0


async def test_nobody_reads_anothers_inbox(client: Client, token_for: TokenFor) -> None:
    resident = await token_for(Role.RESIDENT)
    await settled(await tell(Audience.users(await _me(client, resident)), NEWS))
    item = await InboxItem.select(InboxItem.id).first()
    assert item is not None
    other = await token_for(Role.GRID_WORKER)
    response = await client.post(f"/v1/inbox/{item['id']}/read", headers=bearer(other))
    assert response.status_code == 404
    assert (await client.get("/v1/inbox", headers=bearer(other))).json()["items"] == []


async def test_without_firebase_pushes_are_logged_and_inboxed(
    client: Client, token_for: TokenFor, settings: Settings
) -> None:
    token = await token_for(Role.RESIDENT)
    await client.post("/v1/devices", json=ANDROID, headers=bearer(token))
    counts = await settled(await tell(Audience.users(await _me(client, token))))
    assert counts == {"logged": 1}
    assert await InboxItem.count() == 1


async def test_a_person_without_devices_still_gets_an_inbox_row(
    client: Client, token_for: TokenFor
) -> None:
    user_id = await _me(client, await token_for(Role.RESIDENT))
    counts = await settled(await tell(Audience.users(user_id)))
    assert counts == {"no_device": 1}
    assert await InboxItem.count() == 1
    assert await Delivery.count() == 1


async def test_preferences_round_trip_and_validate(client: Client, token_for: TokenFor) -> None:
    token = await token_for(Role.RESIDENT)
    body = {"quiet_hours": {"start": "22:00", "end": "07:00"}, "muted_categories": ["news"]}
    saved = await client.put("/v1/push/preferences", json=body, headers=bearer(token))
    assert saved.json() == body
    assert (await client.get("/v1/push/preferences", headers=bearer(token))).json() == body
    bad = await client.put(
        "/v1/push/preferences",
        json={"quiet_hours": {"start": "25:00", "end": "07:00"}},
        headers=bearer(token),
    )
    assert bad.status_code == 400
    assert (await client.get("/v1/push/preferences", headers=bearer(token))).json() == body


async def test_a_notification_to_thousands_of_devices_fans_out(
    client: Client, token_for: TokenFor
) -> None:
    """More delivery rows than one statement may bind (PostgreSQL allows 32767 parameters)."""
    user_id = await _me(client, await token_for(Role.RESIDENT))
    for start in range(0, 6000, 1000):
        await Device.insert(
            *[
                Device(user_id=user_id, kind="fid", address=f"fid-{n:05d}", platform="ios")
                for n in range(start, start + 1000)
            ]
        )
    counts = await settled(await tell(Audience.users(user_id)), seconds=60)
    assert counts == {"logged": 6000}
