"""Reports sent at once are written together, and each is still its own: its answer, its
event (in its reporter's grid, by its reporter, with its text), its first step and its
notice, on either engine."""

from __future__ import annotations

import asyncio

from miniapps.grid_events.tables import GridEvent, TimelineEntry
from push.tables import InboxItem
from tests.backend.test_metrics import scrape, value
from tests.conftest import Client, bearer
from tests.miniapps.grid_events.test_chain import C03_ADMIN, RESIDENT, People
from tests.support import eventually, notices_recorded

EVENTS = "/v1/miniapps/grid_events/events"
JINSHUI_RESIDENT = "13800000016"  # lives in zz/jinshui/wenhua/c01/g01
HOMES = {RESIDENT: "zz/gx/fengyang/c03/g07", JINSHUI_RESIDENT: "zz/jinshui/wenhua/c01/g01"}
EACH = 20


async def _grouped(client: Client) -> tuple[float, float]:
    """Transactions and writes of reports committed together, as /metrics counts them."""
    samples = await scrape(client)
    group = "grid_events.report"
    return (
        value(samples, "yimen_group_commits_total", group=group, outcome="ok"),
        value(samples, "yimen_group_commit_writes_total", group=group),
    )


async def test_reports_at_once_are_written_together_each_its_own(
    people: People, demo: None
) -> None:
    commits, writes = await _grouped(people.client)
    sent = [(phone, f"占道经营 {phone[-2:]}-{n}") for n in range(EACH) for phone in HOMES]

    async def send(phone: str, text: str) -> dict[str, object]:
        # No place: each report is an event of its own in its reporter's home grid.
        response = await people.client.post(
            EVENTS,
            json={"category": "street_vending", "description": text},
            headers=bearer(await people.token(phone)),
        )
        assert response.status_code == 201, response.text
        answer: dict[str, object] = response.json()
        return answer

    for phone in HOMES:
        await people.token(phone)
    answers = await asyncio.gather(*(send(phone, text) for phone, text in sent))

    commits_after, writes_after = await _grouped(people.client)
    assert writes_after - writes == len(sent)
    # Written together, or this test proves nothing.
    assert commits_after - commits < len(sent), (commits_after - commits, len(sent))
    for (phone, text), answer in zip(sent, answers, strict=True):
        assert answer["description"] == text
        assert answer["reporter_id"] == await people.id(phone)
        assert answer["grid_path"] == HOMES[phone]
        assert [step["action"] for step in answer["timeline"]] == ["report"]  # type: ignore[index, union-attr]
    stored = await GridEvent.select(
        GridEvent.id, GridEvent.description, GridEvent.reporter_id, GridEvent.grid_path
    )
    assert sorted((e["id"], e["description"]) for e in stored) == sorted(
        (a["id"], a["description"]) for a in answers
    )
    steps = await TimelineEntry.select(TimelineEntry.event_id, TimelineEntry.actor_id)
    by_event = {e["id"]: e["reporter_id"] for e in stored}
    assert sorted(s["event_id"] for s in steps) == sorted(by_event)
    assert all(s["actor_id"] == by_event[s["event_id"]] for s in steps)

    # Each g07 report told c03's admin once; nobody is above the Jinshui grid to tell.
    await notices_recorded()
    admin = await people.id(C03_ADMIN)

    async def all_told() -> bool:
        return await InboxItem.count().where(InboxItem.user_id == admin) == EACH

    await eventually(all_told)
