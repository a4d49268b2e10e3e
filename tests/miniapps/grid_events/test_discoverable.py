"""What a client learns from the API alone: a refused step names the state, the action and
what the caller may do instead (409) or why not (403, a code of its own); a view carries its
photos and, for the handler alone, the reporter's masked contact; a finished event has no
deadline; photos come raw or as a multipart form, and a wrong type says what came; lists
page by cursor; notices speak the reader's language and link to the event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import msgspec
import pytest

from backend.directory.users.tables import UserAccount
from backend.kernel.settings import Settings
from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.escalation import escalate_overdue
from miniapps.grid_events.sensors import Reading
from miniapps.grid_events.tables import GridEvent, Photo, TimelineEntry
from push.tables import InboxItem, Notification
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import (
    C03_ADMIN,
    G07_WORKER,
    G08_WORKER,
    MANHOLE,
    PNG,
    RESIDENT,
    People,
    last_notification,
    told,
)

BASE = "/v1/miniapps/grid_events"
OTHER_RESIDENT = "13800000002"


async def _report(people: People) -> int:
    response = await people.client.post(
        f"{BASE}/events", json=MANHOLE, headers=bearer(await people.token(RESIDENT))
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _act(people: People, phone: str, event: int, action: str, **extra: Any) -> httpx.Response:
    return await people.client.post(
        f"{BASE}/events/{event}/actions",
        json={"action": action, **extra},
        headers={**bearer(await people.token(phone)), "Accept-Language": "en"},
    )


async def _walk(people: People, event: int, *steps: tuple[str, str]) -> None:
    for phone, action in steps:
        response = await _act(people, phone, event, action, reason="因故")
        assert response.status_code == 200, (action, response.text)


async def _view(people: People, phone: str, event: int) -> dict[str, Any]:
    response = await people.client.get(
        f"{BASE}/events/{event}", headers=bearer(await people.token(phone))
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


DISPATCHED = ((C03_ADMIN, "register"), (C03_ADMIN, "dispatch"))
FED_BACK = (*DISPATCHED, (G07_WORKER, "start"), (G07_WORKER, "feed_back"))


# ---- refusals that explain themselves ------------------------------------------------------


async def test_an_illegal_step_names_the_state_and_what_is_allowed(
    people: People, demo: None
) -> None:
    event = await _report(people)
    refused = await _act(people, C03_ADMIN, event, "dispatch")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "event_transition_illegal"
    assert (body["state"], body["action"], body["allowed_actions"]) == (
        "reported",
        "dispatch",
        ["register", "cancel"],
    )
    assert body["title"] == (
        "You cannot dispatch an event that is reported; you may now: register, cancel"
    )
    in_chinese = await people.client.post(
        f"{BASE}/events/{event}/actions",
        json={"action": "dispatch"},
        headers={**bearer(await people.token(C03_ADMIN)), "Accept-Language": "zh-CN"},
    )
    assert in_chinese.json()["title"] == "事件当前已上报,不能派遣;您现在可执行:立案、注销"


@pytest.mark.parametrize(
    ("steps", "phone", "action", "code", "allowed"),
    [
        # the handler may not verify their own work, but may still return it
        (FED_BACK, G07_WORKER, "verify", "event_own_work", ["return"]),
        # a resident may not dispatch, nor do anything else with their report
        (DISPATCHED[:1], RESIDENT, "dispatch", "event_admins_only", []),
        # only the handler starts the work, not even the admin
        (DISPATCHED, C03_ADMIN, "start", "event_handler_only", ["reassign", "return", "suspend"]),
        # a resident may not return what is in hand
        (DISPATCHED, RESIDENT, "return", "event_staff_only", []),
    ],
    ids=["own-work", "resident-dispatch", "admin-start", "resident-return"],
)
async def test_a_step_the_caller_may_not_take_says_why(
    people: People,
    demo: None,
    steps: tuple[tuple[str, str], ...],
    phone: str,
    action: str,
    code: str,
    allowed: list[str],
) -> None:
    event = await _report(people)
    await _walk(people, event, *steps)
    before = await GridEvent.select(GridEvent.state, GridEvent.version).where(GridEvent.id == event)
    entries = await TimelineEntry.count()
    refused = await _act(people, phone, event, action, reason="因故")
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert (body["code"], body["action"], body["allowed_actions"]) == (code, action, allowed)
    assert body["state"] == before[0]["state"]
    assert (
        await GridEvent.select(GridEvent.state, GridEvent.version).where(GridEvent.id == event)
        == before
    )
    assert await TimelineEntry.count() == entries


# ---- what a view carries ------------------------------------------------------------------


async def test_a_view_and_a_list_offer_the_same_actions(people: People, demo: None) -> None:
    event = await _report(people)
    await _walk(people, event, *DISPATCHED)
    for phone, expected in (
        (G07_WORKER, ["start", "return"]),
        (C03_ADMIN, ["reassign", "return", "suspend"]),
        (RESIDENT, []),
    ):
        assert (await _view(people, phone, event))["allowed_actions"] == expected
        listed = await people.client.get(
            f"{BASE}/events", headers=bearer(await people.token(phone))
        )
        [item] = listed.json()["items"]
        assert item["allowed_actions"] == expected


@pytest.mark.parametrize(
    ("steps", "state"),
    [
        ((*FED_BACK, (C03_ADMIN, "verify"), (C03_ADMIN, "close")), "closed"),
        (((C03_ADMIN, "cancel"),), "cancelled"),
        (((C03_ADMIN, "register"), (C03_ADMIN, "suspend")), "suspended"),
    ],
    ids=["closed", "cancelled", "suspended"],
)
async def test_an_event_done_or_on_hold_has_no_deadline(
    people: People, demo: None, steps: tuple[tuple[str, str], ...], state: str
) -> None:
    event = await _report(people)
    assert (await _view(people, RESIDENT, event))["deadline"] is not None
    await _walk(people, event, *steps)
    view = await _view(people, RESIDENT, event)
    assert (view["state"], view["deadline"]) == (state, None)
    listed = await people.client.get(f"{BASE}/events", headers=bearer(await people.token(RESIDENT)))
    assert listed.json()["items"][0]["deadline"] is None
    # Not in the table either, where escalation and the stats would read it.
    row = await GridEvent.select(GridEvent.deadline).where(GridEvent.id == event).first()
    assert row == {"deadline": None}


async def test_a_deadline_left_on_a_closed_row_is_not_shown(people: People, demo: None) -> None:
    """Rows closed before deadlines were cleared on closing still hold one."""
    event = await _report(people)
    await GridEvent.update({GridEvent.state: "closed"}).where(GridEvent.id == event)
    assert (await GridEvent.select(GridEvent.deadline).first() or {})["deadline"] is not None
    assert (await _view(people, RESIDENT, event))["deadline"] is None


async def test_resuming_starts_a_new_deadline(people: People, demo: None) -> None:
    event = await _report(people)
    await _walk(people, event, (C03_ADMIN, "register"), (C03_ADMIN, "suspend"))
    await _walk(people, event, (C03_ADMIN, "resume"))
    assert (await _view(people, RESIDENT, event))["deadline"] is not None


async def test_only_the_handler_sees_the_reporters_masked_contact(
    people: People, demo: None
) -> None:
    event = await _report(people)
    await _walk(people, event, *DISPATCHED)
    handled = await _view(people, G07_WORKER, event)
    assert handled["reporter_contact"] == {"name": "王**", "phone": "138****0001"}
    # The step's own answer is the same view.
    started = await _act(people, G07_WORKER, event, "start")
    assert started.json()["reporter_contact"] == handled["reporter_contact"]
    for phone in (RESIDENT, C03_ADMIN):
        assert (await _view(people, phone, event))["reporter_contact"] is None
    listed = await people.client.get(
        f"{BASE}/events", headers=bearer(await people.token(G07_WORKER))
    )
    assert "reporter_contact" not in listed.json()["items"][0]
    # Nobody's phone leaves in clear, nor in a view of another grid's worker (who sees none).
    assert (
        await people.client.get(
            f"{BASE}/events/{event}", headers=bearer(await people.token(G08_WORKER))
        )
    ).status_code == 404
    await _walk(
        people,
        event,
        (G07_WORKER, "feed_back"),
        (C03_ADMIN, "verify"),
        (C03_ADMIN, "close"),
    )
    assert (await _view(people, G07_WORKER, event))["reporter_contact"] is None


async def test_a_view_lists_its_photos_and_who_took_them(people: People, demo: None) -> None:
    event = await _report(people)
    await _walk(people, event, *DISPATCHED)
    ids = {}
    for phone, stage in ((RESIDENT, "before"), (G07_WORKER, "after"), (C03_ADMIN, "after")):
        added = await people.client.post(
            f"{BASE}/events/{event}/photos",
            params={"stage": stage},
            content=PNG,
            headers={**bearer(await people.token(phone)), "Content-Type": "image/png"},
        )
        assert added.status_code == 201, added.text
        ids[phone] = added.json()["photo_id"]
    resident, worker, admin = [await people.id(p) for p in (RESIDENT, G07_WORKER, C03_ADMIN)]

    def shown(view: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(p["id"], p["stage"], p["taken_by"], p["taken_by_id"]) for p in view["photos"]]

    assert shown(await _view(people, C03_ADMIN, event)) == [
        (ids[RESIDENT], "before", "reporter", resident),
        (ids[G07_WORKER], "after", "handler", worker),
        (ids[C03_ADMIN], "after", "staff", admin),
    ]
    # The reporter learns who took a photo by their part in the event, and knows only
    # their own id.
    assert shown(await _view(people, RESIDENT, event)) == [
        (ids[RESIDENT], "before", "reporter", resident),
        (ids[G07_WORKER], "after", "handler", None),
        (ids[C03_ADMIN], "after", "staff", None),
    ]
    assert all(p["at"] for p in (await _view(people, RESIDENT, event))["photos"])
    listed = await people.client.get(f"{BASE}/events", headers=bearer(await people.token(RESIDENT)))
    assert "photos" not in listed.json()["items"][0]  # a list's line; the event holds them


# ---- photos as mobile SDKs send them -------------------------------------------------------


async def _upload(people: People, event: int, **request: Any) -> httpx.Response:
    headers = {
        **bearer(await people.token(RESIDENT)),
        "Accept-Language": "en",
        **request.pop("headers", {}),
    }
    return await people.client.post(
        f"{BASE}/events/{event}/photos", params={"stage": "before"}, headers=headers, **request
    )


@pytest.mark.parametrize(
    "part",
    [
        {"photo": ("scene.png", PNG, "image/png")},
        {"file": ("scene.jpg", PNG, "image/jpg")},  # mislabelled: its bytes decide
        {"photo": ("scene", PNG, "application/octet-stream")},
    ],
    ids=["photo", "file-mislabelled", "octet-stream"],
)
async def test_a_photo_comes_as_a_multipart_file_part(
    people: People, demo: None, part: dict[str, Any]
) -> None:
    event = await _report(people)
    added = await _upload(people, event, files=part, data={"note": "路口"})
    assert added.status_code == 201, added.text
    photo = await Photo.select(Photo.content_type).where(Photo.id == added.json()["photo_id"])
    assert photo == [{"content_type": "image/png"}]


@pytest.mark.parametrize(
    ("request_", "status", "code", "received"),
    [
        (
            {"content": b"a photo", "headers": {"Content-Type": "text/plain"}},
            415,
            None,
            "text/plain",
        ),
        ({"json": {"photo": "base64..."}}, 415, None, "application/json"),
        ({"content": PNG, "headers": {"Content-Type": "image/heic"}}, 415, None, "image/heic"),
        (
            {"files": {"photo": ("a.txt", b"hello", "text/plain")}},
            415,
            None,
            "text/plain",
        ),
        (
            {"files": {"a": ("a.png", PNG, "image/png"), "b": ("b.png", PNG, "image/png")}},
            422,
            "photo_invalid",
            None,
        ),
        ({"files": {"photo": (None, PNG, "image/png")}}, 400, "validation_failed", None),
        (
            {"data": {"photo": "not a file"}, "files": {}},
            415,
            None,
            "application/x-www-form-urlencoded",
        ),
    ],
    ids=["text", "json", "heic", "text-part", "two-parts", "no-filename", "urlencoded"],
)
async def test_a_photo_of_the_wrong_kind_says_what_came(
    people: People,
    demo: None,
    request_: dict[str, Any],
    status: int,
    code: str | None,
    received: str | None,
) -> None:
    event = await _report(people)
    refused = await _upload(people, event, **request_)
    assert refused.status_code == status, refused.text
    body = refused.json()
    assert body["code"] == (code or "photo_type_unsupported")
    if received is not None:
        assert body["received"] == received
        assert f"got {received}" in body["title"]
        assert "multipart/form-data" in body["accepted"]
        # A part of a form is named too: the one whose type was wrong.
        assert body.get("part") == ("photo" if request_.get("files") else None)
    assert await Photo.count() == 0


async def test_a_form_part_that_is_not_text_is_a_400_elsewhere_too(
    people: People, demo: None
) -> None:
    """Open311's form, read by the same request class: a binary field is no 500."""
    response = await people.client.post(
        "/open311/v2/requests.json",
        files={"description": (None, b"\xff\xfe\x00binary", "application/octet-stream")},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "body"


# ---- lists ----------------------------------------------------------------------------------


async def test_categories_page_by_code(people: People, demo: None) -> None:
    headers = bearer(await people.token(RESIDENT))
    codes: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (
            await people.client.get(f"{BASE}/categories", params=params, headers=headers)
        ).json()
        assert set(page) == {"items", "next_cursor"}
        codes += [c["code"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert codes == sorted(CATEGORIES)
    whole = (await people.client.get(f"{BASE}/categories", headers=headers)).json()
    assert [c["code"] for c in whole["items"]] == codes
    assert whole["next_cursor"] is None
    bad = await people.client.get(f"{BASE}/categories", params={"cursor": "!!"}, headers=headers)
    assert (bad.status_code, bad.json()["code"]) == (400, "cursor_invalid")


async def test_dispatch_rules_page_by_id(people: People, demo: None) -> None:
    headers = bearer(await people.token(C03_ADMIN))
    worker = await people.id(G07_WORKER)
    made = []
    for category in ("dust", "street_vending", "manhole_cover"):
        rule = await people.client.put(
            f"{BASE}/rules",
            json={
                "category": category,
                "place_path": "zz/gx/fengyang/c03/g07",
                "handler_id": worker,
            },
            headers=headers,
        )
        made.append(rule.json()["id"])
    shown: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await people.client.get(f"{BASE}/rules", params=params, headers=headers)).json()
        shown += [r["id"] for r in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert shown == made


# ---- notices ---------------------------------------------------------------------------------


async def _speaks(people: People, phone: str, locale: str) -> int:
    user = await people.id(phone)
    await UserAccount.update({UserAccount.locale: locale}).where(UserAccount.id == user)
    return user


async def _inbox_since(before: int, user: int) -> list[dict[str, Any]]:
    await told(before)
    return list(
        await InboxItem.select(InboxItem.title, InboxItem.body, InboxItem.deep_link)
        .where((InboxItem.notification_id > before) & (InboxItem.user_id == user))
        .order_by(InboxItem.id)
    )


async def test_notices_speak_the_readers_language_and_link_to_the_event(
    people: People, demo: None
) -> None:
    resident = await _speaks(people, RESIDENT, "en")
    admin = await _speaks(people, C03_ADMIN, "zh-CN")
    worker = await _speaks(people, G07_WORKER, "en")
    before = await last_notification()
    event = await _report(people)
    link = f"yimen://miniapps/grid_events/events/{event}"
    assert await _inbox_since(before, admin) == [
        {"title": f"事件{event}:新上报", "body": "井盖破损", "deep_link": link}
    ]
    for phone, action, user, title in (
        (C03_ADMIN, "register", resident, f"Event {event}: registered"),
        (C03_ADMIN, "dispatch", worker, f"Event {event}: dispatched to you"),
        (G07_WORKER, "start", resident, f"Event {event}: being handled"),
    ):
        before = await last_notification()
        await _walk(people, event, (phone, action))
        assert await _inbox_since(before, user) == [
            {"title": title, "body": "Broken manhole cover", "deep_link": link}
        ], action
    before = await last_notification()
    await _walk(people, event, (G07_WORKER, "feed_back"))
    assert await _inbox_since(before, admin) == [
        {"title": f"事件{event}:待核查", "body": "井盖破损", "deep_link": link}
    ]


async def test_an_overdue_notice_speaks_the_supervisors_language(
    people: People, demo: None
) -> None:
    admin = await _speaks(people, C03_ADMIN, "en")
    event = await _report(people)
    await GridEvent.update({GridEvent.deadline: GridEvent.deadline - dt.timedelta(hours=2)}).where(
        GridEvent.id == event
    )
    before = await last_notification()
    assert await escalate_overdue() == 1
    await told(before)
    overdue = await Notification.select(Notification.id).where(
        Notification.template == "grid_events.overdue"
    )
    rows = await InboxItem.select(InboxItem.title, InboxItem.body, InboxItem.deep_link).where(
        InboxItem.notification_id.is_in([n["id"] for n in overdue]) & (InboxItem.user_id == admin)
    )
    assert rows == [
        {
            "title": f"Supervision: event {event} is overdue",
            "body": "Broken manhole cover, 第七网格",
            "deep_link": f"yimen://miniapps/grid_events/events/{event}",
        }
    ]


# ---- the OpenAPI document -------------------------------------------------------------------


def _operation(settings: Settings, operation_id: str) -> dict[str, Any]:
    from backend.devtools import openapi_document

    doc = msgspec.json.decode(openapi_document(settings))
    for path in doc["paths"].values():
        for operation in path.values():
            if operation.get("operationId") == operation_id:
                return dict(operation)
    raise AssertionError(f"no operation {operation_id}")


def test_the_photo_upload_declares_its_bodies(settings: Settings) -> None:
    body = _operation(settings, "AddEventPhoto")["requestBody"]
    assert body["required"] is True
    binary = {"type": "string", "format": "binary"}
    for media_type in ("image/jpeg", "image/png", "application/octet-stream"):
        assert body["content"][media_type]["schema"] == binary
    form = body["content"]["multipart/form-data"]
    assert form["schema"]["properties"] == {"photo": binary}
    assert form["schema"]["required"] == ["photo"]


def test_a_photo_is_answered_as_the_image_it_is(settings: Settings) -> None:
    answer = _operation(settings, "GetEventPhoto")["responses"]["200"]
    binary = {"type": "string", "format": "binary"}
    assert answer["content"] == {
        "image/jpeg": {"schema": binary},
        "image/png": {"schema": binary},
    }


def test_the_sensor_reading_declares_the_json_it_signs(settings: Settings) -> None:
    body = _operation(settings, "SendSensorReading")["requestBody"]
    declared = body["content"]["application/json"]["schema"]
    schema = msgspec.json.schema(Reading)
    reading = schema["$defs"]["Reading"]
    assert declared["type"] == reading["type"]
    assert declared["required"] == reading["required"]
    assert declared["properties"] == reading["properties"]
