"""Steps taken at once on one event: exactly one lands, the others are a 409
`event_changed`, and only the winner's timeline row and notice are written."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import httpx
import pytest

from backend.kernel.db import is_postgres
from miniapps.grid_events.tables import GridEvent, TimelineEntry
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import (
    C03_ADMIN,
    G07_WORKER,
    G08_WORKER,
    MANHOLE,
    RESIDENT,
    People,
    last_notification,
    told,
)
from tests.support import sent_behind_a_held_row

EVENTS = "/v1/miniapps/grid_events/events"


async def _dispatched(people: People) -> dict[str, Any]:
    """A manhole report in g07, registered and dispatched to g07's worker."""
    reported = await people.client.post(
        EVENTS, json=MANHOLE, headers=bearer(await people.token(RESIDENT))
    )
    event = int(reported.json()["id"])
    for action in ("register", "dispatch"):
        moved = await _step(people, C03_ADMIN, event, action)
        assert moved.status_code == 200, moved.text
    assert moved.json()["handler_id"] == await people.id(G07_WORKER)
    return dict(moved.json())


async def _step(
    people: People, phone: str, event: int, action: str, *, version: int | None = None, **extra: Any
) -> httpx.Response:
    headers = bearer(await people.token(phone))
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return await people.client.post(
        f"{EVENTS}/{event}/actions", json={"action": action, **extra}, headers=headers
    )


async def _at_once(event: int, steps: list[Awaitable[httpx.Response]]) -> list[httpx.Response]:
    return await sent_behind_a_held_row("grid_events_event", event, steps)


def _needs_a_barrier(named: bool) -> None:
    if not named and not is_postgres():
        pytest.skip("without If-Match only PostgreSQL's row lock can hold both after reading")


@pytest.mark.parametrize("named", [True, False], ids=["if-match", "read-version"])
async def test_a_reassign_and_a_start_at_once_one_wins(
    people: People, demo: None, named: bool
) -> None:
    _needs_a_barrier(named)
    event = await _dispatched(people)
    g07, g08 = await people.id(G07_WORKER), await people.id(G08_WORKER)
    version = event["version"] if named else None
    await people.token(G08_WORKER)
    steps_before = await TimelineEntry.count()
    before = await last_notification()
    reassign, start = await _at_once(
        event["id"],
        [
            _step(people, C03_ADMIN, event["id"], "reassign", version=version, handler_id=g08),
            _step(people, G07_WORKER, event["id"], "start", version=version),
        ],
    )
    # A version the caller named (If-Match) no longer holding is a failed precondition.
    refused = 412 if named else 409
    assert sorted([reassign.status_code, start.status_code]) == sorted([200, refused])
    loser = start if reassign.status_code == 200 else reassign
    assert loser.json()["code"] == "event_changed"
    row = await GridEvent.select().where(GridEvent.id == event["id"]).first()
    assert row is not None
    assert row["version"] == event["version"] + 1
    assert await TimelineEntry.count() == steps_before + 1
    if reassign.status_code == 200:
        assert (row["state"], row["handler_id"]) == ("dispatched", g08)
        assert await told(before) == [{g08}]
    else:
        assert (row["state"], row["handler_id"]) == ("handling", g07)
        assert await told(before) == [{await people.id(RESIDENT)}]


@pytest.mark.parametrize("named", [True, False], ids=["if-match", "read-version"])
async def test_twenty_reassigns_at_once_exactly_one_lands(
    people: People, demo: None, named: bool
) -> None:
    _needs_a_barrier(named)
    event = await _dispatched(people)
    g08 = await people.id(G08_WORKER)
    version = event["version"] if named else None
    steps_before = await TimelineEntry.count()
    before = await last_notification()
    answers = await _at_once(
        event["id"],
        [
            _step(people, C03_ADMIN, event["id"], "reassign", version=version, handler_id=g08)
            for _ in range(20)
        ],
    )
    refused = 412 if named else 409
    assert sorted(a.status_code for a in answers) == sorted([200] + [refused] * 19)
    assert {a.json()["code"] for a in answers if a.status_code == refused} == {"event_changed"}
    row = await GridEvent.select().where(GridEvent.id == event["id"]).first()
    assert row is not None
    assert (row["version"], row["handler_id"]) == (event["version"] + 1, g08)
    assert await TimelineEntry.count() == steps_before + 1
    assert await told(before) == [{g08}]


async def test_a_step_on_a_version_no_longer_current_is_refused(people: People, demo: None) -> None:
    event = await _dispatched(people)
    shown = await people.client.get(
        f"{EVENTS}/{event['id']}", headers=bearer(await people.token(G07_WORKER))
    )
    assert shown.headers["etag"] == f'"{event["version"]}"'
    assert shown.json()["version"] == event["version"]
    started = await _step(people, G07_WORKER, event["id"], "start", version=event["version"])
    assert started.status_code == 200, started.text
    assert started.headers["etag"] == f'"{event["version"] + 1}"'
    stale = await _step(
        people, C03_ADMIN, event["id"], "suspend", version=event["version"], reason="等待材料"
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "event_changed"
    for bad in ("three", "-1", "1" * 20):
        refused = await people.client.post(
            f"{EVENTS}/{event['id']}/actions",
            json={"action": "suspend", "reason": "等待材料"},
            headers={**bearer(await people.token(C03_ADMIN)), "If-Match": bad},
        )
        assert refused.status_code == 400, bad
        assert refused.json()["code"] == "if_match_invalid"
    row = await GridEvent.select(GridEvent.state).where(GridEvent.id == event["id"]).first()
    assert row == {"state": "handling"}
