"""The event chain: every legal step reaches the right person and nobody else; every illegal
step is a 409 and changes nothing; nobody sees another grid's or another person's events."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from backend.kernel.vault import Vault
from miniapps.grid_events.tables import GridEvent, TimelineEntry
from push.tables import InboxItem, Notification
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.pictures import picture
from tests.support import eventually, notices_recorded

G07_CENTRE = {"lat": 34.805, "lon": 113.555}  # inside the demo polygon of grid g07
JINSHUI_CENTRE = {"lat": 34.785, "lon": 113.665}  # a demo grid with no grid worker above it
RESIDENT, G07_WORKER, G08_WORKER, C03_ADMIN, C04_ADMIN = (
    "13800000001",
    "13800000003",
    "13800000004",
    "13800000005",
    "13800000015",
)
MANHOLE = {
    "category": "manhole_cover",
    "description": "科学大道井盖缺失",
    "attributes": {"damage": "missing"},
    **G07_CENTRE,
}


class People:
    def __init__(self, client: Client, token_for_phone: TokenForPhone) -> None:
        self.client = client
        self.mint = token_for_phone
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, int] = {}

    async def token(self, phone: str) -> str:
        if phone not in self.tokens:
            self.tokens[phone] = await self.mint(phone)
            me = await self.client.get("/v1/me", headers=bearer(self.tokens[phone]))
            self.ids[phone] = int(me.json()["user_id"])
        return self.tokens[phone]

    async def id(self, phone: str) -> int:
        await self.token(phone)
        return self.ids[phone]


async def alert(people: People, n: int) -> int:
    """A resident's elderly alert in g07, `n` × 200 m north of the others (so none is taken
    for a repeat of another); the handler it was dispatched to."""
    place = {"lat": 34.801 + n * 0.002, "lon": G07_CENTRE["lon"]}
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json={"category": "elderly_alert", "description": "独居老人求助", **place},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["handler_id"])


async def told(before: int) -> list[set[int]]:
    """Everyone each notification made after `before` reached, one set per notification in
    the order made (waits for their fan-out). The whole list, not the newest only: a step
    that also told someone else in a notification of its own must show."""
    await notices_recorded()

    async def fanned_out() -> bool:
        made = await Notification.select(Notification.fanned_out_at).where(Notification.id > before)
        return bool(made) and all(n["fanned_out_at"] is not None for n in made)

    await eventually(fanned_out)
    made = (
        await Notification.select(Notification.id)
        .where(Notification.id > before)
        .order_by(Notification.id)
    )
    rows = await InboxItem.select(InboxItem.notification_id, InboxItem.user_id).where(
        InboxItem.notification_id.is_in([n["id"] for n in made])
    )
    return [{r["user_id"] for r in rows if r["notification_id"] == n["id"]} for n in made]


async def last_notification() -> int:
    await notices_recorded()
    row = (
        await Notification.select(Notification.id)
        .order_by(Notification.id, ascending=False)
        .first()
    )
    return int(row["id"]) if row else 0


async def _act(people: People, phone: str, event: int, action: str, **extra: Any) -> Any:
    return await people.client.post(
        f"/v1/miniapps/grid_events/events/{event}/actions",
        json={"action": action, **extra},
        headers=bearer(await people.token(phone)),
    )


async def _report(people: People) -> int:
    before = await last_notification()
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json=MANHOLE,
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.status_code == 201, response.text
    assert response.json()["grid_path"] == "zz/gx/fengyang/c03/g07"
    assert await told(before) == [{await people.id(C03_ADMIN)}]
    return int(response.json()["id"])


async def test_the_whole_chain_tells_the_right_person_each_time(people: People, demo: None) -> None:
    event = await _report(people)
    resident = await people.id(RESIDENT)
    worker = await people.id(G07_WORKER)
    admin = await people.id(C03_ADMIN)
    steps = [
        (C03_ADMIN, "register", {}, "registered", {resident}),
        (C03_ADMIN, "dispatch", {}, "dispatched", {worker}),
        (G07_WORKER, "start", {}, "handling", {resident}),
        (G07_WORKER, "feed_back", {"reason": "已更换井盖"}, "fed_back", {admin}),
        (C03_ADMIN, "verify", {}, "verified", {worker}),
        (C03_ADMIN, "close", {}, "closed", {resident}),
    ]
    for phone, action, extra, state, audience in steps:
        before = await last_notification()
        response = await _act(people, phone, event, action, **extra)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["state"] == state
        assert await told(before) == [audience], action
    detail = await people.client.get(
        f"/v1/miniapps/grid_events/events/{event}", headers=bearer(await people.token(RESIDENT))
    )
    assert [t["to_state"] for t in detail.json()["timeline"]] == [
        "reported",
        "registered",
        "dispatched",
        "handling",
        "fed_back",
        "verified",
        "closed",
    ]
    assert detail.json()["handler_id"] == worker


async def test_dispatch_picks_the_least_loaded_worker_of_the_grid(
    people: People, demo: None
) -> None:
    first = await _report(people)
    await _act(people, C03_ADMIN, first, "register")
    dispatched = await _act(people, C03_ADMIN, first, "dispatch")
    assert dispatched.json()["handler_id"] == await people.id(G07_WORKER)
    assert dispatched.json()["handler_id"] != await people.id(G08_WORKER)


@pytest.mark.parametrize(
    ("steps", "phone", "action"),
    [
        ([], C03_ADMIN, "close"),
        ([], C03_ADMIN, "dispatch"),
        ([("register", C03_ADMIN)], G07_WORKER, "feed_back"),
        ([("register", C03_ADMIN), ("dispatch", C03_ADMIN)], C03_ADMIN, "verify"),
        ([("register", C03_ADMIN), ("cancel", C03_ADMIN)], C03_ADMIN, "register"),
    ],
)
async def test_illegal_steps_are_409_and_change_nothing(
    people: People, demo: None, steps: list[tuple[str, str]], phone: str, action: str
) -> None:
    event = await _report(people)
    for step, by in steps:
        assert (await _act(people, by, event, step, reason="因故")).status_code == 200
    before = await GridEvent.select(GridEvent.state).where(GridEvent.id == event).first()
    entries = await TimelineEntry.count()
    response = await _act(people, phone, event, action, reason="因故")
    assert response.status_code == 409
    assert response.json()["code"] == "event_transition_illegal"
    assert await GridEvent.select(GridEvent.state).where(GridEvent.id == event).first() == before
    assert await TimelineEntry.count() == entries


async def test_the_handler_cannot_verify_their_own_work(people: People, demo: None) -> None:
    event = await _report(people)
    for action, by in (
        ("register", C03_ADMIN),
        ("dispatch", C03_ADMIN),
        ("start", G07_WORKER),
        ("feed_back", G07_WORKER),
    ):
        await _act(people, by, event, action, reason="完成")
    refused = await _act(people, G07_WORKER, event, "verify")
    assert refused.status_code == 403


async def test_another_grid_cannot_see_or_act(people: People, demo: None) -> None:
    event = await _report(people)
    g08 = bearer(await people.token(G08_WORKER))
    seen = await people.client.get(f"/v1/miniapps/grid_events/events/{event}", headers=g08)
    assert seen.status_code == 404
    assert (await _act(people, G08_WORKER, event, "register")).status_code == 404
    listed = await people.client.get("/v1/miniapps/grid_events/events", headers=g08)
    assert listed.json()["items"] == []
    other_admin = await _act(people, C04_ADMIN, event, "register")
    assert other_admin.status_code == 404


async def test_a_resident_cannot_see_anothers_report(
    people: People, demo: None, token_for: TokenFor
) -> None:
    event = await _report(people)
    neighbour = bearer(await people.token("13800000002"))
    response = await people.client.get(
        f"/v1/miniapps/grid_events/events/{event}", headers=neighbour
    )
    assert response.status_code == 404
    mine = await people.client.get(
        "/v1/miniapps/grid_events/events", headers=bearer(await people.token(RESIDENT))
    )
    assert [e["id"] for e in mine.json()["items"]] == [event]


@pytest.mark.parametrize(
    "change",
    [
        {"category": "ufo"},
        {"attributes": {}},
        {"attributes": {"damage": "gone"}},
        {"attributes": {"damage": "missing", "colour": "red"}},
        {"description": ""},
    ],
)
async def test_a_bad_report_is_refused_and_stores_nothing(
    people: People, demo: None, change: dict[str, Any]
) -> None:
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json={**MANHOLE, **change},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.status_code in (400, 422)
    assert await GridEvent.count() == 0


async def test_returning_needs_a_reason(people: People, demo: None) -> None:
    event = await _report(people)
    await _act(people, C03_ADMIN, event, "register")
    await _act(people, C03_ADMIN, event, "dispatch")
    assert (await _act(people, G07_WORKER, event, "return")).status_code == 400
    back = await _act(people, G07_WORKER, event, "return", reason="不属于本网格")
    assert back.json()["state"] == "registered"


async def test_a_repeat_report_nearby_is_linked_not_created(people: People, demo: None) -> None:
    event = await _report(people)
    nearby = {**MANHOLE, "lat": MANHOLE["lat"] + 0.0002, "description": "同一个井盖"}
    again = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json=nearby,
        headers=bearer(await people.token("13800000002")),
    )
    assert again.json()["id"] == event
    assert await GridEvent.count() == 1
    assert await TimelineEntry.count().where(TimelineEntry.action == "duplicate") == 1
    far = {**MANHOLE, "lat": MANHOLE["lat"] + 0.002}  # about 220 m away, same grid
    other = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json=far,
        headers=bearer(await people.token("13800000002")),
    )
    assert other.json()["id"] != event


async def test_a_report_sent_again_with_its_key_is_stored_and_announced_once(
    people: People, demo: None
) -> None:
    before = await last_notification()
    headers = {**bearer(await people.token(RESIDENT)), "Idempotency-Key": "report-1"}
    # Not a repeat nearby: without a place, each report would be an event of its own.
    body = {key: value for key, value in MANHOLE.items() if key not in G07_CENTRE}
    first = await people.client.post("/v1/miniapps/grid_events/events", json=body, headers=headers)
    again = await people.client.post("/v1/miniapps/grid_events/events", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert first.headers["content-type"] == "application/json"
    assert await GridEvent.count() == 1
    assert await told(before) == [{await people.id(C03_ADMIN)}]


async def test_admins_see_numbers_for_their_subtree(people: People, demo: None) -> None:
    event = await _report(people)
    for action, by in (
        ("register", C03_ADMIN),
        ("dispatch", C03_ADMIN),
        ("start", G07_WORKER),
        ("feed_back", G07_WORKER),
        ("verify", C03_ADMIN),
        ("close", C03_ADMIN),
    ):
        await _act(people, by, event, action, reason="完成")
    response = await people.client.get(
        "/v1/miniapps/grid_events/stats",
        params={"under": "zz/gx/fengyang/c03"},
        headers=bearer(await people.token(C03_ADMIN)),
    )
    body = response.json()
    assert body["by_state"] == {"closed": 1}
    assert body["closure_rate"] == 1.0
    assert body["on_time_rate"] == 1.0
    assert body["median_minutes_to_close"] is not None
    refused = await people.client.get(
        "/v1/miniapps/grid_events/stats",
        params={"under": "zz/gx/fengyang/c04"},
        headers=bearer(await people.token(C03_ADMIN)),
    )
    assert refused.status_code == 403


async def test_reassignments_by_hand_become_rule_suggestions(people: People, demo: None) -> None:
    from tests.support import yimen

    g08_worker = await people.id(G08_WORKER)
    for _ in range(2):
        event = await _report(people)
        await _act(people, C03_ADMIN, event, "register")
        await _act(people, C03_ADMIN, event, "dispatch")
        moved = await _act(people, C03_ADMIN, event, "reassign", handler_id=g08_worker)
        assert moved.json()["handler_id"] == g08_worker
        await _act(people, G08_WORKER, event, "start")
        await _act(people, G08_WORKER, event, "feed_back", reason="修好")
        await _act(people, C03_ADMIN, event, "verify")
        await _act(people, C03_ADMIN, event, "close")
    result = await yimen("grid_events", "suggest", "--minimum", "2")
    assert result.returncode == 0, result.stderr
    assert (
        f"send manhole_cover in zz/gx/fengyang/c03/g07 to user {g08_worker} "
        "(2 reassignments by hand)"
    ) in result.stdout
    applied = await people.client.put(
        "/v1/miniapps/grid_events/rules",
        json={
            "category": "manhole_cover",
            "place_path": "zz/gx/fengyang/c03/g07",
            "handler_id": g08_worker,
        },
        headers=bearer(await people.token(C03_ADMIN)),
    )
    assert applied.status_code == 200, applied.text
    after = await yimen("grid_events", "suggest", "--minimum", "2")
    assert "no rule changes to suggest" in after.stdout


PNG = picture("PNG")


async def test_photos_are_checked_kept_and_shown_to_those_on_the_event(
    people: People, demo: None
) -> None:
    event = await _report(people)
    resident = bearer(await people.token(RESIDENT))
    url = f"/v1/miniapps/grid_events/events/{event}/photos"
    added = await people.client.post(
        url,
        params={"stage": "before"},
        content=PNG,
        headers={**resident, "Content-Type": "image/png"},
    )
    assert added.status_code == 201, added.text
    photo = added.json()["photo_id"]
    shown = await people.client.get(f"{url}/{photo}", headers=resident)
    assert Image.open(io.BytesIO(shown.content)).size == (32, 24)
    assert shown.headers["content-type"] == "image/png"
    fake = await people.client.post(
        url,
        params={"stage": "before"},
        content=b"<svg/>",
        headers={**resident, "Content-Type": "image/png"},
    )
    assert fake.status_code == 422
    huge = await people.client.post(
        url,
        params={"stage": "after"},
        content=PNG + b"\x00" * (5 * 1024 * 1024),
        headers={**resident, "Content-Type": "image/png"},
    )
    assert huge.status_code in (413, 422)
    stranger = bearer(await people.token(G08_WORKER))
    assert (await people.client.get(f"{url}/{photo}", headers=stranger)).status_code == 404


async def test_an_urgent_report_goes_straight_to_the_grids_worker(
    people: People, demo: None
) -> None:
    before = await last_notification()
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json={"category": "elderly_alert", "description": "独居老人摔倒", **G07_CENTRE},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.json()["state"] == "dispatched"
    assert response.json()["handler_id"] == await people.id(G07_WORKER)
    assert await told(before) == [{await people.id(G07_WORKER)}]
    steps = [t["action"] for t in response.json()["timeline"]]
    assert steps == ["report", "register", "dispatch"]
    read_back = await people.client.get(
        f"/v1/miniapps/grid_events/events/{response.json()['id']}",
        headers=bearer(await people.token(RESIDENT)),
    )
    assert read_back.json() == response.json()


async def test_side_steps_tell_the_right_person_too(people: People, demo: None) -> None:
    event = await _report(people)
    resident, admin = await people.id(RESIDENT), await people.id(C03_ADMIN)
    g07, g08 = await people.id(G07_WORKER), await people.id(G08_WORKER)
    steps = [
        (C03_ADMIN, "register", {}, {resident}),
        (C03_ADMIN, "suspend", {"reason": "等待材料"}, {resident}),
        (C03_ADMIN, "resume", {}, {resident}),
        (C03_ADMIN, "dispatch", {}, {g07}),
        (C03_ADMIN, "reassign", {"handler_id": g08}, {g08}),
        (G08_WORKER, "return", {"reason": "不属于本网格"}, {admin}),
        (C03_ADMIN, "cancel", {"reason": "重复上报"}, {resident}),
    ]
    for phone, action, extra, audience in steps:
        before = await last_notification()
        response = await _act(people, phone, event, action, **extra)
        assert response.status_code == 200, (action, response.text)
        assert await told(before) == [audience], action


async def test_an_urgent_report_with_nobody_to_send_is_refused_and_stores_nothing(
    people: People, demo: None
) -> None:
    before = await last_notification()
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json={"category": "elderly_alert", "description": "独居老人求助", **JINSHUI_CENTRE},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "event_no_handler"
    assert await GridEvent.count() == 0
    assert await TimelineEntry.count() == 0
    assert await last_notification() == before


async def test_urgent_reports_go_to_the_grids_least_loaded_worker(
    people: People, demo: None, vault: Vault
) -> None:
    from backend.directory.users.service import account_for_phone, assign_role
    from backend.kernel.roles import Role

    second = await account_for_phone(phone="13800000099", vault=vault, name="第二网格员")
    await assign_role(user_id=second, role=Role.GRID_WORKER, scope_path="zz/gx/fengyang/c03/g07")
    first = await people.id(G07_WORKER)

    # Both idle: the lower id; then the other, then turn about as their queues grow.
    handlers = [await alert(people, n) for n in range(4)]
    assert handlers == [first, second, first, second]


async def test_an_unplaced_report_goes_to_the_reporters_community_desk(
    people: People, demo: None, vault: Vault
) -> None:
    from backend.directory.users.service import account_for_phone, set_home

    resident = await account_for_phone(phone="13800000097", vault=vault, name="社区居民")
    await set_home(user_id=resident, home_path="zz/gx/fengyang/c03")
    token = await people.mint("13800000097")
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json={"category": "dust", "description": "工地扬尘", "address": "科学大道 100 号"},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    assert response.json()["grid_path"] == "zz/gx/fengyang/c03"
    assert response.json()["state"] == "reported"
    desk = await people.client.get(
        f"/v1/miniapps/grid_events/events/{response.json()['id']}",
        headers=bearer(await people.token(C03_ADMIN)),
    )
    assert desk.status_code == 200


async def test_a_report_lands_in_the_community_or_grid_the_reporter_picked(
    people: People, demo: None
) -> None:
    resident = bearer(await people.token(RESIDENT))

    async def report(**place: object) -> tuple[int, dict[str, object]]:
        body = {"category": "dust", "description": "工地扬尘", **place}
        answer = await people.client.post(
            "/v1/miniapps/grid_events/events", json=body, headers=resident
        )
        return answer.status_code, dict(answer.json())

    # The resident lives in g07; no position, and the picked community is where it lands.
    status, picked = await report(place="zz/gx/fengyang/c04")
    assert (status, picked["grid_path"]) == (201, "zz/gx/fengyang/c04")
    status, grid = await report(place="zz/gx/fengyang/c03/g08")
    assert (status, grid["grid_path"]) == (201, "zz/gx/fengyang/c03/g08")
    # A position inside a grid says more than a pick.
    status, placed = await report(place="zz/gx/fengyang/c04", lat=34.8005, lon=113.5505)
    assert (status, placed["grid_path"]) == (201, "zz/gx/fengyang/c03/g07")
    for wrong in ("zz/gx", "zz/gx/fengyang", "zz/gx/fengyang/c99"):
        status, refused = await report(place=wrong)
        assert (status, refused["code"]) == (422, "event_report_invalid"), wrong
        assert refused["errors"][0]["field"] == "place"
