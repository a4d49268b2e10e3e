"""Webhooks: each event an app subscribed to reaches its server, signed so that the guide's
own verification accepts it; a 5xx or a network error is tried again on a schedule, at most
six times, anything else ends the delivery; each try is logged, and a delivery that ended is
sent again by hand."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from miniapps.open_platform.tables import WebhookAttempt, WebhookDelivery
from miniapps.open_platform.webhooks import TRIES, WAITS, sweep
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.guide import guide_verifier
from tests.miniapps.open_platform.hook_receiver import HookReceiver, Received, receiver
from tests.miniapps.open_platform.publishing import (
    APP,
    RESIDENT,
    approved,
    manifest,
    registered_app,
    released_app,
    someone,
    switch,
)
from tests.miniapps.open_platform.test_launch import Platform

__all__ = ["receiver"]

HOOK = "https://api.metro.example.com/yimen/hooks"
EVERY_EVENT = [
    "consent.revoked",
    "user.unbound",
    "version.approved",
    "version.rejected",
    "district.enabled",
    "district.disabled",
]
verify_webhook = guide_verifier()


@pytest.fixture
async def app(settings: Settings, receiver: HookReceiver) -> Litestar:
    """The app, its webhooks POSTed through the receiver as their relay."""
    relayed = msgspec.structs.replace(
        settings, open_webhook_relay=receiver.url, open_webhook_timeout=2
    )
    return create_app(relayed)


async def _key(client: Client, platform: Platform, app_id: str) -> str:
    issued = await client.post(
        f"{APP}/apps/{app_id}/webhook-key", headers=platform.developer.headers
    )
    assert issued.status_code == 200, issued.text
    return str(issued.json()["key"])


async def _settled(
    count: int, tries: int | None = None, seconds: float = 20
) -> list[dict[str, Any]]:
    """The deliveries, once there are `count` of them, each tried, `tries` tries in all
    (one each, if not given), and none is being tried."""
    for _ in range(int(seconds / 0.02)):
        rows = await WebhookDelivery.select().order_by(WebhookDelivery.id)
        done = sum(row["attempts"] for row in rows) >= (count if tries is None else tries)
        tried = [row for row in rows if row["attempts"] > 0 and row["leased_until"] is None]
        if len(rows) >= count and len(tried) == len(rows) and done:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError(f"deliveries still being tried: {rows}")


async def _revoke(client: Client, user: Any, app_id: str, field: str | None = None) -> Any:
    query = f"?field={field}" if field else ""
    return await client.delete(f"/v1/me/consents/{app_id}{query}", headers=user.headers)


async def _session(client: Client, app_id: str, server: dict[str, str], user: Any) -> Any:
    launched = await client.post(
        f"{APP}/apps/{app_id}/launch", json={"consent": ["name"]}, headers=user.headers
    )
    assert launched.status_code == 200, launched.text
    traded = await client.post(
        f"{APP}/open/session", json={"code": launched.json()["code"]}, headers=server
    )
    assert traded.status_code == 200, traded.text
    return traded.json()


def _signed_by(key: str, received: Received) -> bool:
    return verify_webhook(key, received.headers, received.body)


async def test_a_revoked_consent_reaches_the_webhook_signed_as_the_guide_says(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    key = await _key(client, platform, app.app_id)
    resident = await someone(client, token_for_phone, RESIDENT)
    session = await _session(client, app.app_id, app.server, resident)

    assert (await _revoke(client, resident, app.app_id, "name")).status_code == 200
    [hook] = await receiver.arrivals(1)
    assert hook.headers["yimen-webhook-url"] == HOOK
    assert hook.headers["yimen-event"] == "consent.revoked"
    body = hook.json()
    assert body["type"] == "consent.revoked"
    assert body["app_id"] == app.app_id
    assert body["data"] == {"openid": session["openid"], "fields": ["name"]}
    assert _signed_by(key, hook)
    assert not verify_webhook(key, hook.headers, hook.body.replace(b"name", b"nom"))
    assert not verify_webhook("whsec_another", hook.headers, hook.body)
    late = int(hook.headers["yimen-timestamp"]) + 301
    assert not verify_webhook(key, hook.headers, hook.body, now=late)

    [delivery] = await _settled(1)
    log = await client.get(
        f"{APP}/apps/{app.app_id}/webhook-deliveries", headers=platform.developer.headers
    )
    assert log.status_code == 200, log.text
    [seen] = log.json()["items"]
    assert seen["status"] == "delivered"
    assert seen["event_id"] == body["id"] == delivery["event_id"]
    assert [t["status_code"] for t in seen["tries"]] == [200]
    assert seen["next_attempt_at"] is None


async def test_each_event_reaches_a_webhook_that_subscribed_to_it_and_no_other(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    platform = await Platform(client, token_for_phone).start()
    hooked = {"url": HOOK, "events": EVERY_EVENT}
    registered = await registered_app(client, platform.developer, webhook=hooked)
    app_id = registered["app"]["app_id"]
    await _key(client, platform, app_id)
    await approved(client, platform.developer, platform.admin, registered["version_id"])
    released = await client.post(
        f"{APP}/versions/{registered['version_id']}/release", headers=platform.developer.headers
    )
    assert released.status_code == 200, released.text
    assert (await switch(client, platform.district, app_id)).status_code == 200
    assert (await switch(client, platform.district, app_id)).status_code == 200  # no news
    assert (await switch(client, platform.district, app_id, on=False)).status_code == 200
    assert (await switch(client, platform.district, app_id, on=False)).status_code == 200
    redraft = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": "1.1.0", "manifest": manifest(webhook=hooked)},
        headers=platform.developer.headers,
    )
    version_id = redraft.json()["id"]
    await client.post(f"{APP}/versions/{version_id}/submission", headers=platform.developer.headers)
    rejected = await client.post(
        f"{APP}/versions/{version_id}/review",
        json={"approved": False, "reason": "图标不清晰"},
        headers=platform.admin.headers,
    )
    assert rejected.status_code == 200, rejected.text

    arrived = await receiver.arrivals(4)
    await _settled(4)
    told = [(hook.json()["type"], hook.json()["data"]) for hook in arrived]
    assert sorted(told, key=str) == sorted(
        [
            ("version.approved", _review(registered["version_id"], 1, "1.0.0", None)),
            ("district.enabled", {"district": "zz/gx", "asks": ["data.name", "profile.read"]}),
            ("district.disabled", {"district": "zz/gx"}),  # the second switch-off tells none
            ("version.rejected", _review(version_id, 2, "1.1.0", "图标不清晰")),
        ],
        key=str,
    )

    # An app whose webhook subscribes to consents only hears nothing of its districts.
    quiet = await released_app(client, platform.developer, platform.admin, "metro-quiet")
    await _key(client, platform, quiet["app"]["app_id"])
    assert (await switch(client, platform.district, quiet["app"]["app_id"])).status_code == 200
    assert (
        await WebhookDelivery.count().where(WebhookDelivery.app_id == quiet["app"]["app_id"]) == 0
    )


def _review(version_id: int, number: int, label: str, reason: str | None) -> dict[str, Any]:
    return {"version_id": version_id, "number": number, "label": label, "reason": reason}


async def test_revoking_every_consent_unbinds_the_user_from_the_app(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(webhook={"url": HOOK, "events": EVERY_EVENT})
    await _key(client, platform, app.app_id)
    resident = await someone(client, token_for_phone, RESIDENT)
    session = await _session(client, app.app_id, app.server, resident)
    taken = await client.post(f"{APP}/apps/{app.app_id}/launch", json={}, headers=resident.headers)
    before = len(receiver.received)  # the district's switch-on

    assert (await _revoke(client, resident, app.app_id)).status_code == 200
    arrived = (await receiver.arrivals(before + 2))[before:]
    assert sorted(hook.json()["type"] for hook in arrived) == ["consent.revoked", "user.unbound"]
    assert all(hook.json()["data"]["openid"] == session["openid"] for hook in arrived)
    read = await client.get(f"{APP}/open/users/{session['openid']}/profile", headers=app.server)
    assert read.status_code == 404
    assert read.json()["code"] == "open_user_not_found"
    # A code taken before is spent with the binding: it cannot bind the user again.
    late = await client.post(
        f"{APP}/open/session", json={"code": taken.json()["code"]}, headers=app.server
    )
    assert late.json()["code"] == "open_code_refused"
    again = await _revoke(client, resident, app.app_id)
    assert again.status_code == 404  # nothing left to revoke, nobody left to unbind
    # Launching again binds the user again, under the same openid.
    assert (await _session(client, app.app_id, app.server, resident))["openid"] == session["openid"]


async def _delivered_once(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver, *answers: int
) -> tuple[Platform, str]:
    """An app whose resident revoked a consent, its webhook answered with `answers`."""
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    await _key(client, platform, app.app_id)
    resident = await someone(client, token_for_phone, RESIDENT)
    await _session(client, app.app_id, app.server, resident)
    receiver.answer(*answers)
    assert (await _revoke(client, resident, app.app_id, "name")).status_code == 200
    await _settled(1)
    return platform, app.app_id


async def _time_passes(app: Litestar) -> int:
    """The next try's time comes, and a while past it; the sweeper comes by."""
    await WebhookDelivery.update(
        {WebhookDelivery.next_attempt_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(WebhookDelivery.status == "pending")
    return await sweep(services_of(app))


async def test_a_503_is_tried_again_later(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    await _delivered_once(client, token_for_phone, receiver, 503)
    [waiting] = await WebhookDelivery.select()
    assert waiting["status"] == "pending"
    wait = waiting["next_attempt_at"] - dt.datetime.now(dt.UTC)
    assert WAITS[0] - dt.timedelta(seconds=10) < wait <= WAITS[0]
    assert await _time_passes(app) == 1
    [done] = await _settled(1, tries=2)
    assert done["status"] == "delivered"
    assert [(r.json()["id"], r.headers["yimen-delivery"]) for r in receiver.received] == [
        (done["event_id"], str(done["id"]))
    ] * 2
    tries = await WebhookAttempt.select().order_by(WebhookAttempt.number)
    assert [(t["number"], t["status_code"]) for t in tries] == [(1, 503), (2, 200)]


async def test_a_4xx_ends_the_delivery_at_once(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    await _delivered_once(client, token_for_phone, receiver, 410)
    [ended] = await WebhookDelivery.select()
    assert ended["status"] == "failed"
    assert ended["next_attempt_at"] is None
    assert await _time_passes(app) == 0
    assert len(receiver.received) == 1


async def test_six_tries_at_most_then_the_delivery_fails(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    await _delivered_once(client, token_for_phone, receiver, *[503] * (TRIES + 1))
    for tried in range(2, TRIES + 1):
        assert await _time_passes(app) == 1
        await _settled(1, tries=tried)
    [ended] = await WebhookDelivery.select()
    assert (ended["status"], ended["attempts"]) == ("failed", TRIES)
    assert await _time_passes(app) == 0
    assert len(receiver.received) == TRIES
    assert sum(WAITS, dt.timedelta()) < dt.timedelta(days=1)


async def test_a_network_error_is_tried_again(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    receiver.hold = 3  # past the two seconds the app waits for an answer
    await _delivered_once(client, token_for_phone, receiver)
    [waiting] = await WebhookDelivery.select()
    assert waiting["status"] == "pending"
    [tried] = await WebhookAttempt.select()
    assert tried["status_code"] is None
    assert tried["error"] == "timeout: no answer within 2 s"


async def test_an_answer_counts_by_its_status_however_slowly_its_body_comes(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    receiver.trickle = 0.5  # ten seconds of body: far past the two the app waits
    await _delivered_once(client, token_for_phone, receiver)
    [done] = await WebhookDelivery.select()
    assert done["status"] == "delivered"
    [tried] = await WebhookAttempt.select()
    assert tried["took_ms"] < 2000


async def test_a_rotated_key_signs_beside_the_new_one_for_a_day(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    old = await _key(client, platform, app.app_id)
    rotated = await client.post(
        f"{APP}/apps/{app.app_id}/webhook-key", headers=platform.developer.headers
    )
    new = rotated.json()["key"]
    assert rotated.json()["previous_until"] is not None
    resident = await someone(client, token_for_phone, RESIDENT)
    await _session(client, app.app_id, app.server, resident)
    await _revoke(client, resident, app.app_id, "name")
    [hook] = await receiver.arrivals(1)
    assert hook.headers["yimen-signature"].count("v1=") == 2
    assert _signed_by(old, hook)
    assert _signed_by(new, hook)


async def test_without_a_key_a_webhook_fails_and_is_redelivered_once_there_is_one(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    resident = await someone(client, token_for_phone, RESIDENT)
    await _session(client, app.app_id, app.server, resident)
    await _revoke(client, resident, app.app_id, "name")
    [failed] = await _settled(1)
    assert failed["status"] == "failed"
    assert receiver.received == []
    [tried] = await WebhookAttempt.select()
    assert tried["error"].startswith("no signing key")

    deliveries = f"{APP}/apps/{app.app_id}/webhook-deliveries"
    resend = f"{deliveries}/{failed['id']}/redeliver"
    refused = await client.post(resend, headers=platform.admin.headers)
    assert refused.status_code == 403  # the platform sees deliveries; the publisher resends
    key = await _key(client, platform, app.app_id)
    receiver.answer(503)
    again = await client.post(resend, headers=platform.developer.headers)
    assert again.status_code == 201, again.text
    assert again.json()["redelivery_of"] == failed["id"]
    [hook] = await receiver.arrivals(1)
    assert _signed_by(key, hook)
    assert hook.json()["id"] == failed["event_id"]
    await _settled(2, tries=2)
    pending = await client.post(
        f"{deliveries}/{again.json()['id']}/redeliver", headers=platform.developer.headers
    )
    assert pending.status_code == 409
    assert pending.json()["code"] == "open_delivery_pending"
    twice = await client.post(resend, headers=platform.developer.headers)
    assert twice.json()["code"] == "open_delivery_pending"  # its resend is being tried
    huge = await client.get(f"{deliveries}?before={2**63}", headers=platform.developer.headers)
    assert huge.status_code == 400
    seen = await client.get(f"{deliveries}/{again.json()['id']}", headers=platform.admin.headers)
    assert [t["status_code"] for t in seen.json()["tries"]] == [503]
    stranger = await someone(client, token_for_phone, RESIDENT)
    assert (await client.get(deliveries, headers=stranger.headers)).status_code == 404
    other = await client.get(f"{deliveries}/999999", headers=platform.developer.headers)
    assert other.json()["code"] == "open_delivery_not_found"
    page = await client.get(
        f"{deliveries}?before={again.json()['id']}", headers=platform.developer.headers
    )
    assert [d["id"] for d in page.json()["items"]] == [failed["id"]]


async def test_a_webhook_url_beyond_ascii_travels_percent_encoded(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    platform = await Platform(client, token_for_phone).start()
    hooked = {"url": "https://api.metro.example.com/钩子", "events": ["version.approved"]}
    registered = await registered_app(client, platform.developer, webhook=hooked)
    await _key(client, platform, registered["app"]["app_id"])
    await approved(client, platform.developer, platform.admin, registered["version_id"])
    [hook] = await receiver.arrivals(1)
    assert hook.headers["yimen-webhook-url"] == "https://api.metro.example.com/%E9%92%A9%E5%AD%90"
    [done] = await _settled(1)
    assert done["status"] == "delivered"


def test_the_guides_verification_refuses_crafted_headers_rather_than_failing() -> None:
    body = b"{}"
    for headers in (
        {"yimen-timestamp": "\u00b2", "yimen-signature": "v1=00"},
        {"yimen-timestamp": "9" * 5000, "yimen-signature": "v1=00"},
        {
            "yimen-timestamp": str(int(dt.datetime.now(dt.UTC).timestamp())),
            "yimen-signature": "v1=\u00e9",
        },
    ):
        assert verify_webhook("whsec_key", headers, body) is False


async def test_a_delivery_is_not_sent_again_to_a_webhook_that_stopped_subscribing(
    client: Client, token_for_phone: TokenForPhone, receiver: HookReceiver
) -> None:
    platform, app_id = await _delivered_once(client, token_for_phone, receiver)
    [first] = await WebhookDelivery.select()
    narrower = {"url": HOOK, "events": ["version.approved"]}
    made = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": "1.1.0", "manifest": manifest(webhook=narrower)},
        headers=platform.developer.headers,
    )
    await approved(client, platform.developer, platform.admin, made.json()["id"])
    resend = f"{APP}/apps/{app_id}/webhook-deliveries/{first['id']}/redeliver"
    refused = await client.post(resend, headers=platform.developer.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "open_webhook_missing"
