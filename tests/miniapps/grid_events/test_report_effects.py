"""A report's effects are the same whatever runs after its commit: the event, its timeline,
the outbox, the notices and inbox items of the people told, and a repeat report attached to
the event it repeats. Handed on at once in this process, handed on later by the sweeper
after the hand-on was lost, delivered twice at once, delivered by an arq worker on Redis,
or failing once and retried: the stored effects, read back as data without ids or times,
are those of the same reports handed on at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import pytest
from litestar import Litestar

import push.service
from auth.sessions import grant_for
from backend.app import create_app
from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.db import json_value
from backend.kernel.events.delivery import deliver_event, sweep_outbox
from backend.kernel.events.outbox import DELIVER
from backend.kernel.events.tables import DeadLetter, HandledEvent, OutboxEvent
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from backend.seed import DEMO_USERS, seed_demo
from miniapps.grid_events.tables import GridEvent, TimelineEntry
from push.fanout import fan_out_notification
from push.tables import Delivery, InboxItem, Notification
from tests.conftest import Client, bearer
from tests.support import (
    auth_of,
    empty_tables,
    eventually,
    redis_url_or_skip,
    running,
    yimen,
)

EVENTS = "/v1/miniapps/grid_events/events"
RESIDENT, FAMILY, G08_WORKER, JINSHUI_RESIDENT = (
    "13800000001",
    "13800000002",
    "13800000004",
    "13800000016",
)
G07_CENTRE = {"lat": 34.805, "lon": 113.555}
# The reports, in order: who reports what. Each has effects of its own: told to the
# community admin above g07; a repeat 20 m from the first, attached to it; urgent, so
# dispatched on report and told to the handler; in a grid with nobody above it to tell;
# with no place, so in the reporter's own grid; in the other community, told to its admin.
REPORTS: list[tuple[str, dict[str, Any]]] = [
    (
        RESIDENT,
        {
            "category": "manhole_cover",
            "description": "科学大道井盖缺失",
            "attributes": {"damage": "missing"},
            "address": "科学大道 100 号",
            **G07_CENTRE,
        },
    ),
    (
        FAMILY,
        {
            "category": "manhole_cover",
            "description": "井盖又被人看到缺了",
            "attributes": {"damage": "missing"},
            "lat": G07_CENTRE["lat"] + 0.00018,
            "lon": G07_CENTRE["lon"],
        },
    ),
    (
        RESIDENT,
        {"category": "elderly_alert", "description": "独居老人求助", "lat": 34.807, "lon": 113.555},
    ),
    (
        JINSHUI_RESIDENT,
        {
            "category": "dust",
            "description": "工地扬尘",
            "attributes": {"site": "农科路工地"},
            "lat": 34.785,
            "lon": 113.665,
        },
    ),
    (G08_WORKER, {"category": "street_vending", "description": "占道经营"}),
    (RESIDENT, {"category": "group_renting", "description": "群租", "lat": 34.805, "lon": 113.575}),
]

# A number standing alone in a text: an id, not a part of a path's `c03` nor of a decimal.
_NUMBER = re.compile(r"(?<![A-Za-z0-9])(?<!\d\.)\d+(?![A-Za-z0-9])(?!\.\d)")
Effects = dict[str, Any]
Run = Callable[[Litestar, Client, "Names"], Awaitable[None]]


class Names(msgspec.Struct):
    """What stands for an id in the effects compared: a person's phone, an event's place in
    the order of reporting."""

    people: dict[int, str]
    events: dict[int, str] = {}

    def person(self, user_id: int | None) -> str | None:
        return None if user_id is None else self.people.get(user_id, f"user {user_id}")

    def text(self, value: str) -> str:
        """`value` with each event id in it named (in titles, links and collapse keys)."""
        return _NUMBER.sub(lambda m: self.events.get(int(m.group()), m.group()), value)

    def data(self, value: Any, key: str = "") -> Any:
        """A JSON value with the people and events in it named; `key` is the one it is under."""
        if key == "user_ids":
            return [self.person(user) for user in value]
        if key in ("handler_id", "user_id"):
            return self.person(value)
        if isinstance(value, dict):
            return {k: self.data(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


async def _people(vault: Vault) -> dict[int, str]:
    people = {0: "system"}
    for user in DEMO_USERS:
        lookup = vault.lookup(user.phone, purpose=PHONE_PURPOSE)
        row = (
            await UserAccount.select(UserAccount.id)
            .where(UserAccount.phone_lookup == lookup)
            .first()
        )
        assert row is not None
        people[int(row["id"])] = user.phone
    return people


async def _report_all(app: Litestar, client: Client, names: Names) -> None:
    phone_of = {phone: user for user, phone in names.people.items()}
    tokens: dict[str, str] = {}
    for phone, body in REPORTS:
        if phone not in tokens:
            token, _ = auth_of(app).tokens.issue(await grant_for(phone_of[phone]))
            tokens[phone] = str(token)
        response = await client.post(EVENTS, json=body, headers=bearer(tokens[phone]))
        assert response.status_code == 201, response.text


async def _settled() -> bool:
    """Every event handed on has been delivered, or buried."""
    waiting: int = await OutboxEvent.count().where(OutboxEvent.dispatched_at.is_null())
    return waiting == 0


async def _effects(names: Names) -> Effects:
    events = await GridEvent.select().order_by(GridEvent.id)
    names.events = {int(e["id"]): f"event {n + 1}" for n, e in enumerate(events)}
    timeline = await TimelineEntry.select().order_by(TimelineEntry.id)
    outbox = await OutboxEvent.select().order_by(OutboxEvent.id)
    handled = await HandledEvent.select(HandledEvent.event_id, HandledEvent.handler)
    notifications = await Notification.select().order_by(Notification.id)
    inbox = await InboxItem.select().order_by(InboxItem.id)
    deliveries = await Delivery.select().order_by(Delivery.id)
    return {
        "events": [
            {
                "category": e["category"],
                "description": e["description"],
                "attributes": json_value(e["attributes"]),
                "place": (e["lat"], e["lon"], e["address"]),
                "grid_path": e["grid_path"],
                "reporter": names.person(e["reporter_id"]),
                "state": e["state"],
                "handler": names.person(e["handler_id"]),
                "due": e["deadline"] is not None,
                "duplicate_of": names.events.get(e["duplicate_of"]),
                "supervised": e["supervised"],
                "version": e["version"],
                "timeline": [
                    (
                        t["action"],
                        t["from_state"],
                        t["to_state"],
                        names.person(t["actor_id"]),
                        t["reason"],
                        names.data(json_value(t["detail"])),
                    )
                    for t in timeline
                    if t["event_id"] == e["id"]
                ],
            }
            for e in events
        ],
        "outbox": sorted(
            (
                {
                    "name": o["name"],
                    "payload": names.data(json_value(o["payload"])),
                    "delivered": o["dispatched_at"] is not None,
                    "handled_by": sorted(
                        h["handler"] for h in handled if str(h["event_id"]) == str(o["event_id"])
                    ),
                }
                for o in outbox
            ),
            key=lambda o: json.dumps(o, sort_keys=True, ensure_ascii=False),
        ),
        "notifications": sorted(
            (_notification(n, inbox, deliveries, names) for n in notifications),
            key=lambda n: json.dumps(n, sort_keys=True, ensure_ascii=False),
        ),
        "dead_letters": [(d["name"], d["handler"]) for d in await DeadLetter.select()],
        "timeline_of_no_event": [
            t["action"] for t in timeline if int(t["event_id"]) not in names.events
        ],
    }


def _notification(
    n: dict[str, Any], inbox: list[dict[str, Any]], deliveries: list[dict[str, Any]], names: Names
) -> dict[str, Any]:
    return {
        "source": n["source"],
        "category": n["category"],
        "template": n["template"],
        "titles": json_value(n["titles"]),
        "bodies": json_value(n["bodies"]),
        "data": names.data(json_value(n["data"])),
        "audience": names.data(json_value(n["audience"])),
        "urgent": n["urgent"],
        "collapse_key": names.text(n["collapse_key"] or ""),
        "ttl": n["ttl"],
        "deep_link": names.text(n["deep_link"] or ""),
        "fanned_out": n["fanned_out_at"] is not None,
        "recipients": n["recipients"],
        "inbox": sorted(
            (
                names.person(i["user_id"]),
                i["category"],
                names.text(i["title"]),
                i["body"],
                names.text(i["deep_link"] or ""),
                i["read_at"] is not None,
            )
            for i in inbox
            if i["notification_id"] == n["id"]
        ),
        "deliveries": sorted(
            (names.person(d["user_id"]), d["device_id"], d["status"])
            for d in deliveries
            if d["notification_id"] == n["id"]
        ),
    }


async def _reported(settings: Settings, vault: Vault, run: Run) -> Effects:
    """The reports made on a freshly seeded city by an app on `settings`, their work after
    the commit done as `run` does it (after it has made the reports), and their effects."""
    await empty_tables()
    await seed_demo(vault)
    names = Names(people=await _people(vault))
    app = create_app(settings)
    async with running(app) as client:
        await run(app, client, names)
        await eventually(_settled, what="every event handed on delivered")
    return await _effects(names)


async def _at_once(app: Litestar, client: Client, names: Names) -> None:
    await _report_all(app, client, names)


@pytest.fixture(scope="module")
async def handed_on_at_once(database: None, settings: Settings, vault: Vault) -> Effects:
    """The effects with each event handed on at once to this process's queue; every other
    way of running the work after the commit must leave these. Made once for the module:
    each test makes its reports on a city emptied and seeded again."""
    effects = await _reported(settings, vault, _at_once)
    _assert_what_a_report_does(effects)
    return effects


def _assert_what_a_report_does(effects: Effects) -> None:
    """What the reports must have done, so that runs compared are not alike in doing
    nothing."""
    events = effects["events"]
    assert [(e["category"], e["state"], e["grid_path"]) for e in events] == [
        ("manhole_cover", "reported", "zz/gx/fengyang/c03/g07"),
        ("elderly_alert", "dispatched", "zz/gx/fengyang/c03/g07"),
        ("dust", "reported", "zz/jinshui/wenhua/c01/g01"),
        ("street_vending", "reported", "zz/gx/fengyang/c03/g08"),
        ("group_renting", "reported", "zz/gx/fengyang/c04/g01"),
    ]
    assert [step[0] for step in events[0]["timeline"]] == ["report", "duplicate"]
    assert events[0]["timeline"][1][3] == FAMILY
    assert events[1]["handler"] == "13800000003"
    assert [step[0] for step in events[1]["timeline"]] == ["report", "register", "dispatch"]
    told = [
        (n["data"]["event"], n["data"]["step"], [i[0] for i in n["inbox"]])
        for n in effects["notifications"]
    ]
    assert sorted(told) == [
        ("event 1", "report", ["13800000005"]),
        ("event 2", "dispatch", ["13800000003"]),
        ("event 3", "report", []),
        ("event 4", "report", ["13800000005"]),
        ("event 5", "report", ["13800000015"]),
    ]
    assert all(o["delivered"] and o["handled_by"] for o in effects["outbox"])
    assert len(effects["outbox"]) == len(effects["notifications"])
    assert effects["dead_letters"] == []


def _assert_same(effects: Effects, expected: Effects) -> None:
    assert effects.keys() == expected.keys()
    for part, stored in effects.items():
        assert stored == expected[part], part


def _lose_hand_on(app: Litestar, patch: pytest.MonkeyPatch) -> None:
    """While the patch lasts, the app's hand-on of each event is lost, as if the process
    died right after the commit: the event waits in the outbox."""
    jobs = services_of(app).jobs
    real = jobs.enqueue

    async def lose(function: str, *args: Any, **kwargs: Any) -> bool:
        if function == DELIVER:
            return True
        return await real(function, *args, **kwargs)

    patch.setattr(jobs, "enqueue", lose)


async def _all_waiting() -> None:
    """Nothing the reports emitted has been delivered, nor anyone told."""
    assert await OutboxEvent.count() > 0
    assert await OutboxEvent.count().where(OutboxEvent.dispatched_at.is_not_null()) == 0
    assert await Notification.count() == 0


async def _sweep_later(app: Litestar) -> None:
    """The sweeper comes by a minute later and hands on what waits in the outbox."""
    await OutboxEvent.update(
        {OutboxEvent.next_attempt_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(OutboxEvent.dispatched_at.is_null())
    assert await sweep_outbox(services_of(app)) > 0


def _swept(monkeypatch: pytest.MonkeyPatch) -> Run:
    async def run(app: Litestar, client: Client, names: Names) -> None:
        with monkeypatch.context() as patch:
            _lose_hand_on(app, patch)
            await _report_all(app, client, names)
        await _all_waiting()
        await _sweep_later(app)

    return run


def _twice(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Each event delivered twice at once (a redelivery racing the first, as at-least-once
    queues do), then once more after both are done."""

    async def run(app: Litestar, client: Client, names: Names) -> None:
        with monkeypatch.context() as patch:
            _lose_hand_on(app, patch)
            await _report_all(app, client, names)
        await _all_waiting()
        services = services_of(app)
        waiting = await OutboxEvent.select(OutboxEvent.event_id)
        for row in waiting:
            event_id = str(row["event_id"])
            await asyncio.gather(*(deliver_event(services, event_id) for _ in range(2)))
            assert await deliver_event(services, event_id) == "already delivered"

    return run


def _failing_once(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Push fails on each notice the first time, after writing all it writes; the event is
    retried."""
    real = fan_out_notification
    failed: set[tuple[str, str]] = set()

    async def fan_out_then_fail(notification: dict[str, Any], job: Any) -> None:
        await real(notification, job)
        data = json_value(notification["data"])
        key = (data["event"], data["step"])
        if key not in failed:
            failed.add(key)
            raise ConnectionError("push lost its database connection")

    async def run(app: Litestar, client: Client, names: Names) -> None:
        monkeypatch.setattr(push.service, "fan_out_notification", fan_out_then_fail)
        await _report_all(app, client, names)

        await eventually(_settled, what="each notice retried")
        assert len(failed) == len(REPORTS) - 1  # the repeat report tells nobody

    return run


@pytest.mark.parametrize("way", ["swept", "twice", "failing_once"])
async def test_the_work_after_the_commit_leaves_the_same_effects_in_this_process(
    settings: Settings,
    vault: Vault,
    monkeypatch: pytest.MonkeyPatch,
    handed_on_at_once: Effects,
    way: str,
) -> None:
    ways = {"swept": _swept, "twice": _twice, "failing_once": _failing_once}
    _assert_same(await _reported(settings, vault, ways[way](monkeypatch)), handed_on_at_once)


async def test_an_arq_worker_on_redis_leaves_the_same_effects(
    settings: Settings, vault: Vault, handed_on_at_once: Effects
) -> None:
    """The API hands on to Redis and runs no jobs; a `yimen worker` process delivers."""
    url = redis_url_or_skip()

    async def run(app: Litestar, client: Client, names: Names) -> None:
        await _report_all(app, client, names)
        await _all_waiting()
        worked = await yimen("worker", "--burst", env={"REDIS_URL": url})
        assert worked.returncode == 0, worked.stderr

    redis_settings = msgspec.structs.replace(settings, redis_url=url)
    _assert_same(await _reported(redis_settings, vault, run), handed_on_at_once)
