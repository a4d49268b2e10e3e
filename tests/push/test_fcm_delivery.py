"""Delivery through the real firebase-admin client to the FCM stand-in on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from litestar import Litestar

from auth.sessions import grant_for
from backend.kernel.audience import Audience
from backend.kernel.contract import JobContext
from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from push.fanout import Status
from push.sending import LEASE, PushRuntime, resume_sending, send_notification
from push.tables import Delivery, Device, Notification, TopicSubscription
from push.topics import sync_topics
from tests.push.fcm_standin import FcmStandIn
from tests.push.helpers import NEWS, push_app, register_phone, settled, tell
from tests.support import auth_of, eventually

G07 = "zz/gx/fengyang/c03/g07"
G08 = "zz/gx/fengyang/c03/g08"
G07_WORKER, G08_WORKER, RESIDENT = "13800000003", "13800000004", "13800000001"
# A phone joins the topic of every unit from the city down to its grid, and its locale's.
ABOVE = ["locale.zh-CN", "city.zz", "district.zz.gx", "street.zz.gx.fengyang"]
ABOVE_G07 = [*ABOVE, "community.zz.gx.fengyang.c03", "grid.zz.gx.fengyang.c03.g07"]
ABOVE_G08 = [*ABOVE, "community.zz.gx.fengyang.c03", "grid.zz.gx.fengyang.c03.g08"]


async def test_a_grid_worker_gets_the_push_for_their_grid_and_nobody_else(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    await register_phone(app, client, vault, G07_WORKER, "token-g07-worker")
    await register_phone(app, client, vault, G08_WORKER, "token-g08-worker")
    await register_phone(app, client, vault, RESIDENT, "token-resident", locale="en")
    counts = await settled(await tell(Audience.role_within(Role.GRID_WORKER, G07), urgent=True))
    assert counts == {"sent": 1}
    assert fcm.sent_to() == {"token-g07-worker": 1}
    message = fcm.received[0]
    assert message["notification"] == {"title": "新任务:井盖破损", "body": "地点 科学大道"}
    assert message["android"] == {
        "priority": "high",
        "ttl": "600s",
        "collapse_key": "c1",
        "notification": {"channel_id": "urgent", "tag": "c1"},
    }
    assert message["apns"]["headers"] == {
        "apns-priority": "10",
        "apns-push-type": "alert",
        "apns-collapse-id": "c1",
    }
    assert message["apns"]["payload"]["aps"]["interruption-level"] == "time-sensitive"
    assert message["data"]["notification_id"].isdigit()
    assert fcm.headers[0]["authorization"].startswith("Bearer ")
    assert fcm.headers[0]["x-goog-api-format-version"] == "2"


async def test_messages_speak_the_devices_locale(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-en", locale="en")
    await settled(await tell(Audience.users(user)))
    assert fcm.received[0]["notification"] == {"title": "New task: 井盖破损", "body": "At 科学大道"}
    assert fcm.received[0]["android"]["priority"] == "normal"


async def test_503_three_times_then_200_is_delivered_once(
    fcm_settings: Settings,
    demo: None,
    fcm: FcmStandIn,
    vault: Vault,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our jobs own retries: one HTTP request per attempt, each attempt counted. With the
    SDK's own retries on, its transport would resend the 503s inside one attempt."""
    for name in ("NO_PROXY", "no_proxy"):  # a NO_PROXY naming 127.0.0.1 hides SDK retries
        monkeypatch.delenv(name, raising=False)
    async with push_app(fcm_settings) as (app, client):
        user = await register_phone(app, client, vault, RESIDENT, "token-flaky")
        fcm.answer("token-flaky", "UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE")
        counts = await settled(await tell(Audience.users(user)), seconds=30)
    assert counts == {"sent": 1}
    assert len(fcm.received) == 4
    assert fcm.sent_to() == {"token-flaky": 4}
    assert fcm.delivered_to() == {"token-flaky": 1}
    row = await Delivery.select(Delivery.attempts).first()
    assert row == {"attempts": 4}


async def test_unregistered_switches_the_device_off_without_retry(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-gone")
    fcm.answer("token-gone", "UNREGISTERED")
    counts = await settled(await tell(Audience.users(user)))
    assert counts == {"failed": 1}
    # failed is final (only pending rows are ever claimed), so this one attempt is all
    assert await Delivery.select(Delivery.attempts).first() == {"attempts": 1}
    assert fcm.sent_to() == {"token-gone": 1}
    device = await Device.select(Device.active, Device.deactivated_reason).first()
    assert device == {"active": False, "deactivated_reason": "invalid_address"}
    later = await settled(await tell(Audience.users(user)))
    assert later == {"no_device": 1}


@pytest.mark.parametrize("code", ["SENDER_ID_MISMATCH", "INVALID_ARGUMENT"])
async def test_other_invalid_addresses_are_never_retried(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault, code: str
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-bad")
    fcm.answer("token-bad", code)
    assert await settled(await tell(Audience.users(user))) == {"failed": 1}
    assert fcm.sent_to() == {"token-bad": 1}


async def test_quota_exceeded_backs_off_at_least_a_minute(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-busy")
    fcm.answer("token-busy", "QUOTA_EXCEEDED")
    await tell(Audience.users(user))

    async def backed_off() -> bool:
        row = await Delivery.select().where(Delivery.status == Status.PENDING).first()
        return row is not None and row["attempts"] == 1

    await eventually(backed_off)
    row = await Delivery.select().first()
    assert row is not None
    assert row["next_attempt_at"] >= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=55)
    assert "QuotaExceededError" in row["error"]


async def test_quiet_hours_and_opt_outs_hold_back_all_but_urgent(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-sleepy")
    token, _ = auth_of(app).tokens.issue(await grant_for(user))
    everything_quiet = {
        "quiet_hours": {"start": "00:00", "end": "23:59"},
        "muted_categories": ["news"],
    }
    await client.put(
        "/v1/push/preferences", json=everything_quiet, headers={"Authorization": f"Bearer {token}"}
    )
    assert await settled(await tell(Audience.users(user))) == {"skipped_quiet_hours": 1}
    assert await settled(await tell(Audience.users(user), NEWS)) == {"skipped_opt_out": 1}
    assert await settled(await tell(Audience.users(user), urgent=True)) == {"sent": 1}
    assert fcm.sent_to() == {"token-sleepy": 1}


async def test_a_rerun_job_sends_nothing_twice(
    pushing: tuple[Litestar, httpx.AsyncClient],
    fcm: FcmStandIn,
    vault: Vault,
    fcm_settings: Settings,
) -> None:
    app, client = pushing
    users = [
        await register_phone(app, client, vault, phone, f"token-{phone}")
        for phone in (RESIDENT, G07_WORKER, G08_WORKER)
    ]
    fcm.hold(after=0)
    notification = await tell(Audience.users(*users))
    await eventually(lambda: _received(fcm, 3))
    context = JobContext(app_id="push", services=services_of(app))
    rerun = asyncio.create_task(send_notification(context, notification))

    async def rerun_finished() -> bool:
        return rerun.done()

    # the rerun ends while the first send is still on the wire: it found nothing to claim
    await eventually(rerun_finished, what="the rerun job finished")
    fcm.release()
    assert await rerun == {}
    assert await settled(notification) == {"sent": 3}
    assert set(fcm.sent_to().values()) == {1}


async def _received(fcm: FcmStandIn, count: int) -> bool:
    return len(fcm.received) >= count


async def test_claims_past_their_lease_are_unconfirmed_not_resent(
    pushing: tuple[Litestar, httpx.AsyncClient],
    fcm: FcmStandIn,
    vault: Vault,
    fcm_settings: Settings,
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-lost")
    notification = await tell(Audience.users(user))
    await settled(notification)
    await Delivery.update(
        {Delivery.status: Status.SENDING, Delivery.claimed_at: dt.datetime.now(dt.UTC) - LEASE * 2}
    ).where(Delivery.id > 0)
    context = JobContext(app_id="push", services=services_of(app))
    await resume_sending(context)
    await send_notification(context, notification)
    assert await settled(notification) == {"unconfirmed": 1}
    assert fcm.sent_to() == {"token-lost": 1}


async def test_operators_see_stats_and_failures(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    users = [
        await register_phone(app, client, vault, RESIDENT, "token-ok"),
        await register_phone(app, client, vault, G07_WORKER, "token-dead"),
    ]
    fcm.answer("token-dead", "UNREGISTERED")
    notification = await tell(Audience.users(*users, 999_999))
    await settled(notification)
    admin = await register_phone(app, client, vault, "13800000007", "token-admin")
    token, _ = auth_of(app).tokens.issue(await grant_for(admin))
    auth = {"Authorization": f"Bearer {token}"}
    stats = (
        await client.get(f"/v1/admin/notifications/{notification}/deliveries", headers=auth)
    ).json()
    assert stats == {
        "notification_id": notification,
        "recipients": 3,
        "by_status": {"sent": 1, "failed": 1, "no_device": 1},
    }
    failures = (
        await client.get(f"/v1/admin/notifications/{notification}/failures", headers=auth)
    ).json()
    assert [f["error"] for f in failures["items"]] == [
        "UnregisteredError: stand-in says UNREGISTERED"
    ]
    resident_token, _ = auth_of(app).tokens.issue(await grant_for(users[0]))
    refused = await client.get(
        f"/v1/admin/notifications/{notification}/deliveries",
        headers={"Authorization": f"Bearer {resident_token}"},
    )
    assert refused.status_code == 403


async def test_grid_topics_follow_the_device_and_stay_in_step_with_fcm(
    pushing: tuple[Litestar, httpx.AsyncClient],
    fcm: FcmStandIn,
    vault: Vault,
    fcm_settings: Settings,
) -> None:
    app, client = pushing
    context = JobContext(app_id="push", services=services_of(app))
    await register_phone(app, client, vault, G07_WORKER, "token-phone")
    await sync_topics(context)
    assert fcm.topics == {topic: {"token-phone"} for topic in ABOVE_G07}
    rows = await TopicSubscription.select(TopicSubscription.topic, TopicSubscription.wanted)
    assert sorted(r["topic"] for r in rows) == sorted(ABOVE_G07)
    assert all(r["wanted"] for r in rows)

    await register_phone(app, client, vault, G08_WORKER, "token-phone")  # the phone changes hands
    await sync_topics(context)
    assert fcm.topics == {
        **{topic: {"token-phone"} for topic in ABOVE_G08},
        "grid.zz.gx.fengyang.c03.g07": set(),
    }
    rows = await TopicSubscription.select(TopicSubscription.topic)
    assert sorted(r["topic"] for r in rows) == sorted(ABOVE_G08)
    assert await TopicSubscription.count().where(TopicSubscription.synced_at.is_null()) == 0


async def _waiting(user: int, *, urgent: bool) -> int:
    """A notification already fanned out to the user's device, its delivery still pending."""
    rows = await Notification.insert(
        Notification(
            source="test",
            category="test",
            template=NEWS.key,
            titles=NEWS.titles,
            bodies=NEWS.bodies,
            data={"text": "停水通知"},
            audience={"users": [user]},
            urgent=urgent,
        )
    ).returning(Notification.id)
    device = await Device.select(Device.id).where(Device.user_id == user).first()
    assert device is not None
    await Delivery.insert(
        Delivery(
            notification_id=rows[0]["id"],
            user_id=user,
            device_id=device["id"],
            status=Status.PENDING,
        )
    )
    return int(rows[0]["id"])


async def _row(notification_id: int) -> dict[str, Any]:
    row = await Notification.select().where(Notification.id == notification_id).first()
    assert row is not None
    return row


async def test_an_urgent_push_to_a_few_devices_is_sent_by_the_fan_out_itself(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, G07_WORKER, "token-sos")
    notification = await _waiting(user, urgent=True)
    await services_of(app).runtime(PushRuntime).send_soon(await _row(notification), pending=1)
    # Sent before send_soon returned: no queued job was waited for.
    assert fcm.delivered_to() == {"token-sos": 1}
    assert await Delivery.select(Delivery.status).first() == {"status": Status.SENT}


async def test_other_pushes_go_through_the_queue_and_are_sent_once(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-news")
    notification = await _waiting(user, urgent=False)
    await services_of(app).runtime(PushRuntime).send_soon(await _row(notification), pending=1)
    assert await settled(notification) == {"sent": 1}
    assert fcm.delivered_to() == {"token-news": 1}


async def test_a_phone_handed_over_gets_nothing_meant_for_its_previous_owner(
    pushing: tuple[Litestar, httpx.AsyncClient],
    fcm: FcmStandIn,
    vault: Vault,
    fcm_settings: Settings,
) -> None:
    app, client = pushing
    resident = await register_phone(app, client, vault, RESIDENT, "token-handed-over")
    fcm.answer("token-handed-over", "UNAVAILABLE")
    notification = await tell(Audience.users(resident))

    async def waiting_to_retry() -> bool:
        row = await Delivery.select(Delivery.status, Delivery.attempts).first()
        return row == {"status": Status.PENDING, "attempts": 1}

    await eventually(waiting_to_retry)
    await register_phone(app, client, vault, G07_WORKER, "token-handed-over")
    await Delivery.update({Delivery.next_attempt_at: dt.datetime.now(dt.UTC)}).where(
        Delivery.id > 0
    )
    context = JobContext(app_id="push", services=services_of(app))
    await send_notification(context, notification)
    assert await settled(notification) == {"failed": 1}
    assert fcm.delivered_to() == {}
    row = await Delivery.select(Delivery.error).first()
    assert row == {"error": "device changed hands"}


async def test_a_home_chosen_later_brings_the_phones_into_its_grid_topic(
    pushing: tuple[Litestar, httpx.AsyncClient],
    fcm: FcmStandIn,
    vault: Vault,
) -> None:
    from backend.directory.users.tables import UserAccount

    app, client = pushing
    context = JobContext(app_id="push", services=services_of(app))
    user = await register_phone(app, client, vault, RESIDENT, "token-resident")
    await UserAccount.update({UserAccount.home_path: None}).where(UserAccount.id == user)
    # Re-planned: no home, so no unit's topic.
    await register_phone(app, client, vault, RESIDENT, "token-resident")

    async def in_step(topics: set[str]) -> bool:
        # The sync the registration queued may still be telling FCM the older wish.
        await sync_topics(context)
        return {t for t, tokens in fcm.topics.items() if tokens} == topics

    await eventually(lambda: in_step({"locale.zh-CN"}))

    token, _ = auth_of(app).tokens.issue(await grant_for(user))
    chosen = await client.patch(
        "/v1/me", json={"home": {"path": G08}}, headers={"Authorization": f"Bearer {token}"}
    )
    assert chosen.status_code == 200, chosen.text

    async def joined() -> bool:
        topics = await TopicSubscription.select(TopicSubscription.topic)
        return sorted(t["topic"] for t in topics) == sorted(ABOVE_G08)

    await eventually(joined)
    await eventually(lambda: in_step(set(ABOVE_G08)))
    joined_now = {topic: tokens for topic, tokens in fcm.topics.items() if tokens}
    assert joined_now == {topic: {"token-resident"} for topic in ABOVE_G08}
