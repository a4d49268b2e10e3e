"""Phones whose topics were never planned (registered before topics were kept) are found by
a sweep that goes through the phones a batch per run, and then hear their area's alerts."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from backend.directory.people import person
from backend.kernel.audience import Audience
from backend.kernel.contract import JobContext
from backend.kernel.services import services_of
from backend.kernel.vault import Vault
from push import topics
from push.sending import PushRuntime
from push.tables import Device, TopicSubscription
from push.topic_names import locale_topic, unit_topic
from push.topics import plan_unplanned, sync_topics
from tests.push.fcm_standin import FcmStandIn
from tests.push.helpers import DISPATCH, register_phone, tell
from tests.push.test_area_alerts import _area_settled

RESIDENT, OTHER_RESIDENT = "13800000001", "13800000016"


async def _unplanned_phone(user_id: int, address: str) -> int:
    """A phone as one registered before topics were kept: a device row and nothing else."""
    rows = await Device.insert(
        Device(user_id=user_id, kind="token", address=address, platform="android")
    ).returning(Device.id)
    return int(rows[0]["id"])


async def _topics(device_id: int) -> set[str]:
    rows = await TopicSubscription.select(TopicSubscription.topic).where(
        TopicSubscription.device_id == device_id
    )
    return {row["topic"] for row in rows}


async def test_a_phone_registered_before_topics_hears_its_district(
    pushing: tuple[Litestar, httpx.AsyncClient], fcm: FcmStandIn, vault: Vault
) -> None:
    app, client = pushing
    job = JobContext(app_id="push", services=services_of(app))
    user_id = await register_phone(app, client, vault, RESIDENT, "token-registered")
    old = await _unplanned_phone(user_id, "token-from-before")
    resident = await person(user_id)
    assert resident is not None
    assert resident.home_path

    assert await plan_unplanned(job) == 1
    assert await _topics(old) == {
        unit_topic(resident.home_path),
        *(unit_topic(p) for p in ("zz", "zz/gx", "zz/gx/fengyang", "zz/gx/fengyang/c03")),
        locale_topic("zh-CN"),
    }
    assert await plan_unplanned(job) == 0  # planned once, never again
    await sync_topics(job)

    await _area_settled(await tell(Audience.everyone_in("zz/gx"), DISPATCH, urgent=True))
    assert set(fcm.reached()) == {"token-registered", "token-from-before"}


async def test_the_sweep_goes_on_where_it_stopped_and_starts_over(
    pushing: tuple[Litestar, httpx.AsyncClient], vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client = pushing
    job = JobContext(app_id="push", services=services_of(app))
    user_id = await register_phone(app, client, vault, OTHER_RESIDENT, "token-planned")
    phones = [await _unplanned_phone(user_id, f"token-old-{n}") for n in range(3)]
    monkeypatch.setattr(topics, "SWEEP_BATCH", 2)
    runtime = services_of(app).runtime(PushRuntime)

    assert await plan_unplanned(job) == 1  # the planned phone and the first old one
    assert runtime.topic_sweep_from == phones[0]
    assert await plan_unplanned(job) == 2  # the other two
    assert runtime.topic_sweep_from == phones[2]
    assert all([await _topics(phone) for phone in phones])
    assert await plan_unplanned(job) == 0  # past the end of the table: start over
    assert runtime.topic_sweep_from == 0


async def test_an_inactive_phone_is_left_alone(
    pushing: tuple[Litestar, httpx.AsyncClient], vault: Vault
) -> None:
    app, client = pushing
    user_id = await register_phone(app, client, vault, RESIDENT, "token-active")
    gone = await _unplanned_phone(user_id, "token-gone")
    await Device.update({Device.active: False}).where(Device.id == gone)
    assert await plan_unplanned(JobContext(app_id="push", services=services_of(app))) == 0
    assert await _topics(gone) == set()


async def test_a_run_plans_for_a_while_and_the_next_goes_on(
    pushing: tuple[Litestar, httpx.AsyncClient], vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client = pushing
    job = JobContext(app_id="push", services=services_of(app))
    user_id = await register_phone(app, client, vault, OTHER_RESIDENT, "token-planned")
    phones = [await _unplanned_phone(user_id, f"token-waiting-{n}") for n in range(3)]
    monkeypatch.setattr(topics, "SWEEP_SECONDS", 0.0)  # time is up after each phone
    runtime = services_of(app).runtime(PushRuntime)
    for phone in phones:
        assert await plan_unplanned(job) == 1
        assert await _topics(phone)
    assert runtime.topic_sweep_from == 0  # the last one ended the table: start over
    assert await plan_unplanned(job) == 0
