"""Notices to everyone in an org unit: FCM topic and condition sends through the real
firebase-admin client to the stand-in, one request per language however many phones
listen; each person still gets an inbox row, and personal notices still go per device."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from litestar import Litestar

from backend.directory.users.tables import RoleAssignment, UserAccount
from backend.kernel.audience import Audience
from backend.kernel.contract import JobContext
from backend.kernel.notices import check_notice
from backend.kernel.paths import is_within
from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.templates import Template
from backend.kernel.vault import Vault
from push.area import reach_area
from push.fanout import Status
from push.preferences import set_preferences
from push.schemas import Preferences
from push.tables import Delivery, InboxItem, Notification, TopicSend
from push.topics import sync_topics
from tests.push.fcm_standin import FcmStandIn
from tests.push.helpers import DISPATCH, NEWS, register_phone, settled, tell
from tests.support import eventually

DISTRICT = "zz/gx"
G07 = "zz/gx/fengyang/c03/g07"
RESIDENT, G07_WORKER, G08_WORKER = "13800000001", "13800000003", "13800000004"
COMMUNITY_ADMIN, JINSHUI_RESIDENT = "13800000005", "13800000016"
FLOOD = Template(
    key="test.flood",
    category="alert",
    titles={"zh-CN": "暴雨预警"},
    bodies={"zh-CN": "{text}"},
)


async def _area_settled(notification_id: int) -> list[dict[str, Any]]:
    """Wait until the notice's topic sends are done and its people all reached."""
    sends: list[dict[str, Any]] = []

    async def done() -> bool:
        nonlocal sends
        sends = await TopicSend.select(TopicSend.target, TopicSend.status)
        row = await Notification.select(Notification.fanned_out_at).first()
        busy = any(s["status"] in (Status.PENDING, Status.SENDING) for s in sends)
        return bool(sends) and not busy and row is not None and row["fanned_out_at"] is not None

    await eventually(done, 30, what="area notice settled")
    return sends


async def _living_or_working_in(path: str) -> set[int]:
    homes = await UserAccount.select(UserAccount.id, UserAccount.home_path)
    found = {r["id"] for r in homes if r["home_path"] and is_within(r["home_path"], path)}
    workers = await RoleAssignment.select(RoleAssignment.user, RoleAssignment.scope_path).where(
        RoleAssignment.role == Role.GRID_WORKER
    )
    return found | {r["user"] for r in workers if is_within(r["scope_path"], path)}


async def _phones(app: Litestar, client: httpx.AsyncClient, vault: Vault) -> dict[str, int]:
    users = {
        "token-resident": await register_phone(
            app, client, vault, RESIDENT, "token-resident", locale="en"
        ),
        "token-g07": await register_phone(app, client, vault, G07_WORKER, "token-g07"),
        "token-g08": await register_phone(app, client, vault, G08_WORKER, "token-g08"),
        "token-admin": await register_phone(app, client, vault, COMMUNITY_ADMIN, "token-admin"),
        "token-jinshui": await register_phone(
            app, client, vault, JINSHUI_RESIDENT, "token-jinshui"
        ),
    }
    await sync_topics(JobContext(app_id="push", services=services_of(app)))
    return users


async def test_a_district_alert_is_one_request_per_language_however_many_listen(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    # A grid worker who lives in another district is in the district where he works.
    await UserAccount.update({UserAccount.home_path: "zz/jinshui/wenhua/c01/g01"}).where(
        UserAccount.name == "赵网格"
    )
    await _phones(app, client, vault)
    notification = await tell(Audience.everyone_in(DISTRICT), DISPATCH, urgent=True)
    sends = await _area_settled(notification)
    assert sorted(s["status"] for s in sends) == ["sent", "sent"]
    assert sorted(m["condition"] for m in fcm.received) == [
        "'district.zz.gx' in topics && !('locale.en' in topics)",
        "'district.zz.gx' in topics && 'locale.en' in topics",
    ]
    assert all(m["android"]["priority"] == "high" for m in fcm.received)
    # Each phone in the district gets it once, in its language; the other district's none.
    assert fcm.reached() == {
        "token-resident": ["New task: 井盖破损"],
        "token-g07": ["新任务:井盖破损"],
        "token-g08": ["新任务:井盖破损"],
        "token-admin": ["新任务:井盖破损"],
    }
    assert await Delivery.count() == 0  # not one request per device
    inbox = await InboxItem.select(InboxItem.user_id, InboxItem.title)
    assert sorted(r["user_id"] for r in inbox) == sorted(await _living_or_working_in(DISTRICT))
    row = await Notification.select(Notification.recipients).first()
    assert row == {"recipients": len(inbox)}


async def test_one_language_goes_to_the_units_own_topic(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    await _phones(app, client, vault)
    community = "zz/gx/fengyang/c03"
    await _area_settled(await tell(Audience.everyone_in(community), FLOOD, urgent=True))
    assert [m["topic"] for m in fcm.received] == ["community.zz.gx.fengyang.c03"]
    assert fcm.reached() == {
        "token-resident": ["暴雨预警"],
        "token-g07": ["暴雨预警"],
        "token-g08": ["暴雨预警"],
        "token-admin": ["暴雨预警"],
    }


async def test_a_phone_known_by_installation_id_is_reached_on_its_own(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    await _phones(app, client, vault)
    await register_phone(app, client, vault, G07_WORKER, "fid-g07-phone", kind="fid")
    notification = await tell(Audience.everyone_in(G07), FLOOD, urgent=True)
    await _area_settled(notification)
    assert await settled(notification) == {"sent": 1}
    assert fcm.sent_to() == {"grid.zz.gx.fengyang.c03.g07": 1, "fid-g07-phone": 1}


async def test_walks_run_twice_or_at_once_write_nobody_twice(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, _ = pushing
    context = JobContext(app_id="push", services=services_of(app))
    notification = await tell(Audience.everyone_in(DISTRICT), FLOOD, urgent=True)
    await _area_settled(notification)
    people = await InboxItem.count()
    assert await reach_area(context, notification) == 0
    assert await InboxItem.count() == people
    # As if the walk had not begun: two walkers at once (the cron's and the first job's).
    await InboxItem.delete(force=True)
    await Notification.update(
        {Notification.area_done_to: 0, Notification.fanned_out_at: None, Notification.recipients: 0}
    ).where(Notification.id == notification)
    reached = await asyncio.gather(
        reach_area(context, notification), reach_area(context, notification)
    )
    assert sum(reached) == people
    assert await InboxItem.count() == people


async def test_a_person_addressed_notice_still_goes_per_device(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    user = await register_phone(app, client, vault, RESIDENT, "token-phone")
    await register_phone(app, client, vault, RESIDENT, "token-tablet")
    assert await settled(await tell(Audience.users(user), urgent=True)) == {"sent": 2}
    assert fcm.sent_to() == {"token-phone": 1, "token-tablet": 1}
    assert await TopicSend.count() == 0


async def test_an_area_notice_that_is_not_urgent_goes_per_device_and_keeps_opt_outs(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    users = await _phones(app, client, vault)
    await set_preferences(users["token-g07"], Preferences(muted_categories=["news"]))
    counts = await settled(await tell(Audience.everyone_in(G07), NEWS))
    assert counts == {"sent": 1, "skipped_opt_out": 1, "no_device": 1}  # 王家属 has no phone
    assert fcm.sent_to() == {"token-resident": 1}
    assert await TopicSend.count() == 0


@pytest.mark.parametrize(
    "audience",
    [
        Audience(area=DISTRICT, user_ids=[1]),
        Audience(area=DISTRICT, role=Role.GRID_WORKER, path=G07),
        Audience.everyone_in("zz/GX"),
        Audience.everyone_in("zz/gx/%"),
    ],
)
def test_an_area_names_nobody_else_and_is_an_org_path(audience: Audience) -> None:
    with pytest.raises(ValueError, match=r"area|org path"):
        check_notice(FLOOD, {"text": "x"}, 600, audience)
