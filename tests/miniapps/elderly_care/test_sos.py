"""An elder's SOS: after the cancel window, each contact in order, then the grid worker,
the community's service centre and up the org tree, each rung once; the first answer
stops it and tells the elder help is coming; a cancelled one rings nobody more. Time is
the care clock, moved by hand."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from litestar import Litestar

from backend.kernel.roles import Role
from backend.sdk import UNIQUE_VIOLATION
from miniapps.elderly_care import alarms
from miniapps.elderly_care.cascade import ring, ring_due
from miniapps.elderly_care.tables import Alarm, AlarmEntry, FamilyBinding
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, TokenForPhone
from tests.miniapps.elderly_care.circle import (
    APP,
    DAUGHTER,
    NEPHEW,
    SON,
    WORKER_G07,
    CareClock,
    Person,
    enrolled_elder,
    join_circle,
    set_timing,
    someone,
)
from tests.support import notices_recorded


async def _circle(
    client: Client, token_for_phone: TokenForPhone
) -> tuple[Person, int, Person, Person]:
    """The elder with their son and daughter in the circle, the son to be rung first."""
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    daughter = await someone(client, token_for_phone, DAUGHTER)
    son = await someone(client, token_for_phone, SON)
    await join_circle(client, elder, elder_id, daughter)
    await join_circle(client, elder, elder_id, son)
    chosen = await client.put(
        f"{APP}/elders/{elder_id}/contacts",
        json={"member_ids": [son.user_id, daughter.user_id]},
        headers=elder.headers,
    )
    assert chosen.status_code == 200, chosen.text
    assert [c["member_id"] for c in chosen.json()["items"]] == [son.user_id, daughter.user_id]
    return elder, elder_id, son, daughter


async def _raise(client: Client, elder: Person, elder_id: int) -> dict[str, Any]:
    raised = await client.post(
        f"{APP}/elders/{elder_id}/sos",
        json={"latitude": 34.805, "longitude": 113.555},
        headers=elder.headers,
    )
    assert raised.status_code == 201, raised.text
    return dict(raised.json())


async def _rung(alarm_id: int) -> list[str]:
    rows = (
        await AlarmEntry.select(AlarmEntry.whom)
        .where((AlarmEntry.alarm_id == alarm_id) & (AlarmEntry.action == "rang"))
        .order_by(AlarmEntry.id)
    )
    return [str(row["whom"]) for row in rows]


async def _sos_inbox(user_id: int) -> int:
    await notices_recorded()
    return await InboxItem.count().where(
        (InboxItem.user_id == user_id) & InboxItem.title.like("紧急求助%")
    )


async def test_an_sos_rings_each_contact_once_in_order_then_up_the_tree(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=5, gap=60, escalate=300)
    elder, elder_id, son, daughter = await _circle(client, token_for_phone)
    clock = CareClock(app)
    raised_at = clock.now
    alarm = await _raise(client, elder, elder_id)
    assert alarm["status"] == "raised"
    assert dt.datetime.fromisoformat(alarm["notify_from"]) == raised_at + dt.timedelta(seconds=5)

    expected = [
        (4, []),  # still inside the cancel window
        (5, [f"user:{son.user_id}"]),
        (64, [f"user:{son.user_id}"]),
        (65, [f"user:{son.user_id}", f"user:{daughter.user_id}"]),
        (125, [..., "grid_worker@zz/gx/fengyang/c03/g07"]),
        (185, [..., "community_admin@zz/gx/fengyang/c03"]),
        (484, [..., "community_admin@zz/gx/fengyang/c03"]),
        (485, [..., "district_admin@zz/gx/fengyang/c03/g07"]),
        (785, [..., "platform_admin@zz/gx/fengyang/c03/g07"]),
    ]
    for seconds, rung in expected:
        clock.at(seconds, raised_at)
        await ring_due(clock.runtime)
        await ring_due(clock.runtime)  # a second sweep at the same moment rings nobody again
        if rung and rung[0] is ...:
            assert (await _rung(alarm["id"]))[-1] == rung[-1], seconds
        else:
            assert await _rung(alarm["id"]) == rung, seconds
    assert len(await _rung(alarm["id"])) == 6
    clock.at(5000, raised_at)
    assert await ring_due(clock.runtime) == 0  # the plan is done; it stays open, unanswered
    assert [await _sos_inbox(p.user_id) for p in (son, daughter)] == [1, 1]
    worker = await someone(client, token_for_phone, WORKER_G07)
    assert await _sos_inbox(worker.user_id) == 1
    assert await _sos_inbox(elder.user_id) == 0

    shown = await client.get(f"{APP}/alarms/{alarm['id']}", headers=son.headers)
    assert shown.status_code == 200, shown.text
    assert [e["action"] for e in shown.json()["timeline"]] == ["raised"] + ["rang"] * 6
    assert shown.json()["timeline"][1]["note"] == "contact"


async def test_the_first_answer_stops_the_ringing_and_tells_the_elder(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=5, gap=60)
    elder, elder_id, son, daughter = await _circle(client, token_for_phone)
    clock = CareClock(app)
    raised_at = clock.now
    alarm = await _raise(client, elder, elder_id)
    clock.at(5, raised_at)
    await ring_due(clock.runtime)

    answered = await client.post(f"{APP}/alarms/{alarm['id']}/acknowledge", headers=son.headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "acknowledged"
    assert answered.json()["acknowledged_by"]["id"] == son.user_id
    await notices_recorded()
    told = await InboxItem.select(InboxItem.title, InboxItem.body).where(
        InboxItem.user_id == elder.user_id
    )
    assert [row["title"] for row in told if row["title"] == "已有人响应"] == ["已有人响应"]

    clock.at(10_000, raised_at)
    assert await ring_due(clock.runtime) == 0
    assert await _rung(alarm["id"]) == [f"user:{son.user_id}"]
    assert await _sos_inbox(daughter.user_id) == 0

    later = await client.post(f"{APP}/alarms/{alarm['id']}/acknowledge", headers=daughter.headers)
    assert later.status_code == 200, later.text
    assert later.json()["acknowledged_by"]["id"] == son.user_id  # the first answer stays

    arrived = await client.post(f"{APP}/alarms/{alarm['id']}/arrive", headers=son.headers)
    assert arrived.json()["status"] == "arrived"
    closed = await client.post(
        f"{APP}/alarms/{alarm['id']}/close",
        json={"outcome": "helped", "note": "扶起,无大碍"},
        headers=son.headers,
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "helped")
    actions = [e["action"] for e in closed.json()["timeline"]]
    assert actions == ["raised", "rang", "acknowledged", "arrived", "closed"]
    again = await client.post(f"{APP}/alarms/{alarm['id']}/acknowledge", headers=son.headers)
    assert (again.status_code, again.json()["code"]) == (409, "alarm_ended")
    # The elder may raise a new one once it is closed.
    assert (await _raise(client, elder, elder_id))["id"] != alarm["id"]


async def test_a_cancelled_sos_rings_nobody_more(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=5)
    elder, elder_id, son, _ = await _circle(client, token_for_phone)
    clock = CareClock(app)
    raised_at = clock.now
    alarm = await _raise(client, elder, elder_id)
    clock.at(3, raised_at)
    cancelled = await client.post(f"{APP}/alarms/{alarm['id']}/cancel", headers=elder.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    clock.at(10_000, raised_at)
    assert await ring_due(clock.runtime) == 0
    assert await _rung(alarm["id"]) == []
    assert await _sos_inbox(son.user_id) == 0

    # After an answer it can no longer be called off: the helper is on the way.
    second = await _raise(client, elder, elder_id)
    clock.at(10_005, raised_at)
    await ring_due(clock.runtime)
    await client.post(f"{APP}/alarms/{second['id']}/acknowledge", headers=son.headers)
    refused = await client.post(f"{APP}/alarms/{second['id']}/cancel", headers=elder.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "alarm_answered")


async def test_two_sweeps_at_once_ring_each_step_once(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=5, gap=60)
    elder, elder_id, son, daughter = await _circle(client, token_for_phone)
    clock = CareClock(app)
    raised_at = clock.now
    alarm = await _raise(client, elder, elder_id)
    clock.at(200, raised_at)  # four steps due at once: both contacts, worker, centre
    await asyncio.gather(*(ring_due(clock.runtime) for _ in range(3)))
    rung = await _rung(alarm["id"])
    assert rung[:2] == [f"user:{son.user_id}", f"user:{daughter.user_id}"]
    assert len(rung) == len(set(rung)) == 4
    assert [await _sos_inbox(p.user_id) for p in (son, daughter)] == [1, 1]


async def test_pressing_again_while_open_gives_the_same_alarm(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    first = await _raise(client, elder, elder_id)
    answers = await asyncio.gather(
        *(
            client.post(f"{APP}/elders/{elder_id}/sos", json={}, headers=elder.headers)
            for _ in range(3)
        )
    )
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["id"] for a in answers} == {first["id"]}
    assert await Alarm.count() == 1


async def test_who_may_do_what_to_an_alarm(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    elder, elder_id, son, _ = await _circle(client, token_for_phone)
    nephew = await someone(client, token_for_phone, NEPHEW)  # never in the circle
    raised_by_son = await client.post(f"{APP}/elders/{elder_id}/sos", json={}, headers=son.headers)
    assert (raised_by_son.status_code, raised_by_son.json()["code"]) == (403, "elder_only")
    alarm = await _raise(client, elder, elder_id)
    own = await client.post(f"{APP}/alarms/{alarm['id']}/acknowledge", headers=elder.headers)
    assert (own.status_code, own.json()["code"]) == (403, "elder_cannot_answer")
    not_his = await client.post(f"{APP}/alarms/{alarm['id']}/cancel", headers=son.headers)
    assert (not_his.status_code, not_his.json()["code"]) == (403, "elder_only")
    outsiders = [
        nephew.headers,
        {"Authorization": f"Bearer {await token_for_phone('13800000004')}"},
    ]
    for headers in outsiders:
        for answer in (
            await client.get(f"{APP}/alarms/{alarm['id']}", headers=headers),
            await client.post(f"{APP}/alarms/{alarm['id']}/acknowledge", headers=headers),
            await client.post(f"{APP}/alarms/{alarm['id']}/cancel", headers=headers),
        ):
            assert (answer.status_code, answer.json()["code"]) == (404, "alarm_not_found")
        listed = await client.get(f"{APP}/elders/{elder_id}/alarms", headers=headers)
        assert listed.status_code == 404
    staff = [await token_for(Role.GRID_WORKER), await token_for(Role.CARE_WORKER)]
    for token in staff:
        seen = await client.get(
            f"{APP}/elders/{elder_id}/alarms", headers={"Authorization": f"Bearer {token}"}
        )
        assert [a["id"] for a in seen.json()["items"]] == [alarm["id"]]
    assert await Alarm.count().where(Alarm.status != "raised") == 0


async def test_an_elder_without_a_circle_rings_the_grid_worker_first(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=0)
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    clock = CareClock(app)
    alarm = await _raise(client, elder, elder_id)
    await ring_due(clock.runtime)
    assert await _rung(alarm["id"]) == ["grid_worker@zz/gx/fengyang/c03/g07"]


async def test_only_those_who_see_the_elder_are_rung(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=0)
    # A home wider than a grid has no grid worker to look in: no elder is enrolled there.
    son = await someone(client, token_for_phone, SON)  # lives at the community, c03
    refused = await client.post(f"{APP}/elders", json={}, headers=son.headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "home_unknown")
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    clock = CareClock(app)
    await _raise(client, elder, elder_id)
    await ring_due(clock.runtime)
    g07 = await someone(client, token_for_phone, WORKER_G07)
    g08 = await someone(client, token_for_phone, "13800000004")
    assert (await _sos_inbox(g07.user_id), await _sos_inbox(g08.user_id)) == (1, 0)


async def test_a_member_removed_while_it_rings_is_not_rung(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=5, gap=60)
    elder, elder_id, son, daughter = await _circle(client, token_for_phone)
    [binding] = await FamilyBinding.select(FamilyBinding.id).where(
        FamilyBinding.member_id == daughter.user_id
    )
    clock = CareClock(app)
    raised_at = clock.now
    alarm = await _raise(client, elder, elder_id)
    clock.at(5, raised_at)
    await ring_due(clock.runtime)
    removed = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding['id']}/remove", json={}, headers=elder.headers
    )
    assert removed.status_code == 204, removed.text
    clock.at(65, raised_at)
    await ring_due(clock.runtime)
    assert await _sos_inbox(daughter.user_id) == 0
    shown = await client.get(f"{APP}/alarms/{alarm['id']}", headers=son.headers)
    assert [(e["action"], e["whom"]) for e in shown.json()["timeline"][1:]] == [
        ("rang", f"user:{son.user_id}"),
        ("skipped", f"user:{daughter.user_id}"),
    ]


async def test_nobody_is_rung_before_the_cancel_window_closes(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    await set_timing(client, token_for, window=5)
    elder, elder_id, son, _ = await _circle(client, token_for_phone)
    clock = CareClock(app)
    raised_at = clock.now
    alarm = await _raise(client, elder, elder_id)
    clock.at(4.9, raised_at)
    assert await ring(clock.runtime, alarm["id"]) == 0  # the first ring's job, woken early
    cancelled = await client.post(f"{APP}/alarms/{alarm['id']}/cancel", headers=elder.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert await _sos_inbox(son.user_id) == 0


async def test_closing_keeps_the_note_and_refuses_the_check_in_outcome(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    elder, elder_id, son, _ = await _circle(client, token_for_phone)
    alarm = await _raise(client, elder, elder_id)
    url = f"{APP}/alarms/{alarm['id']}/close"
    checked = await client.post(url, json={"outcome": "checked_in"}, headers=son.headers)
    assert checked.status_code == 400, checked.text
    closed = await client.post(
        url, json={"outcome": "false_alarm", "note": "误" * 500}, headers=son.headers
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["outcome"] == "false_alarm"
    assert closed.json()["timeline"][-1]["note"] == "误" * 500


async def test_coordinates_are_numbers_and_a_press_racing_a_close_is_answered(
    client: Client, token_for_phone: TokenForPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    elder, elder_id, _, _ = await _circle(client, token_for_phone)
    url = f"{APP}/elders/{elder_id}/sos"
    strings = {"latitude": "34.8", "longitude": "113.5"}
    assert (await client.post(url, json=strings, headers=elder.headers)).status_code == 400
    assert await Alarm.count() == 0
    first = await _raise(client, elder, elder_id)
    original = alarms.raise_alarm

    async def lose_then_close(*args: Any, **kwargs: Any) -> int:
        try:
            return await original(*args, **kwargs)
        except UNIQUE_VIOLATION:
            # A helper's close commits between the refused insert and the read-back.
            await Alarm.update({Alarm.status: "closed"}).where(Alarm.id == first["id"])
            raise

    monkeypatch.setattr(alarms, "raise_alarm", lose_then_close)
    again = await client.post(url, json={}, headers=elder.headers)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first["id"]
