"""The events list pages by cursor through exactly what the caller may see, newest first,
each event once, and reads a page in the same few queries however deep it is."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from miniapps.grid_events import service
from miniapps.grid_events.tables import GridEvent
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import G07_WORKER, RESIDENT, People

EVENTS = "/v1/miniapps/grid_events/events"
G07, G08 = "zz/gx/fengyang/c03/g07", "zz/gx/fengyang/c03/g08"
JINSHUI = "zz/jinshui/wenhua/c01/g01"
PAGE = 100


async def _thousand_events(people: People) -> set[int]:
    """1,000 events, a quarter in each of: the worker's grid; another grid; another grid
    but dispatched to the worker; another district, reported by the worker. The worker sees
    all but the second quarter; the ids of those are returned."""
    resident, worker = await people.id(RESIDENT), await people.id(G07_WORKER)
    places = [
        (G07, resident, None, "reported"),
        (G08, resident, None, "reported"),
        (G08, resident, worker, "dispatched"),
        (JINSHUI, worker, None, "reported"),
    ]
    rows = [
        GridEvent(
            category="street_vending",
            description=f"占道经营 {n}",
            grid_path=grid,
            reporter_id=reporter,
            handler_id=handler,
            state=state,
        )
        for n, (grid, reporter, handler, state) in ((n, places[n % 4]) for n in range(1000))
    ]
    made = []
    for start in range(0, len(rows), 250):
        made += await GridEvent.insert(*rows[start : start + 250]).returning(
            GridEvent.id, GridEvent.grid_path, GridEvent.handler_id
        )
    return {int(e["id"]) for e in made if e["grid_path"] != G08 or e["handler_id"] == worker}


@contextlib.contextmanager
def queries_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The SQL this task runs (a request through the test client runs in the caller's task;
    the host's crons, in their own, are left out): piccolo's queries, counted on the
    engine's class (its instances take no attributes of their own), and the statements the
    service runs itself."""
    engine = type(GridEvent._meta.db)
    real = engine.run_querystring
    real_fetch = service.fetch_rows
    task = asyncio.current_task()
    made: list[str] = []

    async def counted(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        if asyncio.current_task() is task:
            made.append(str(querystring))
        return await real(self, querystring, *args, **kwargs)

    async def fetched(sql: str, *args: Any) -> Any:
        if asyncio.current_task() is task:
            made.append(sql)
        return await real_fetch(sql, *args)

    with monkeypatch.context() as patched:
        patched.setattr(engine, "run_querystring", counted)
        patched.setattr(service, "fetch_rows", fetched)
        yield made


async def _all_pages(
    people: People, monkeypatch: pytest.MonkeyPatch, **params: Any
) -> tuple[list[dict[str, Any]], list[int]]:
    """Every event the G07 worker is shown, page after page, and the queries of each page."""
    headers = bearer(await people.token(G07_WORKER))
    shown: list[dict[str, Any]] = []
    counts: list[int] = []
    while True:
        with queries_made(monkeypatch) as made:
            page = await people.client.get(EVENTS, params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"items", "next_cursor"}
        shown += body["items"]
        counts.append(len(made))
        if body["next_cursor"] is None:
            return shown, counts
        assert len(body["items"]) == params["limit"]
        params["cursor"] = body["next_cursor"]


async def test_a_thousand_events_page_through_once_each_in_order(
    people: People, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_by_worker = await _thousand_events(people)
    shown, counts = await _all_pages(people, monkeypatch, limit=PAGE)
    ids = [e["id"] for e in shown]
    assert len(ids) == len(set(ids)) == 750
    assert set(ids) == seen_by_worker
    assert ids == sorted(ids, reverse=True)  # newest first, the same order every time
    assert len(counts) == 8
    # The same queries for the first page, a deep one and the last (short) one.
    assert counts[0] == counts[-2] == counts[-1], counts
    assert 1 <= counts[0] <= 2, counts


async def test_pages_of_one_state_hold_that_state_only(
    people: People, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_by_worker = await _thousand_events(people)
    shown, counts = await _all_pages(people, monkeypatch, state="dispatched", limit=PAGE)
    ids = [e["id"] for e in shown]
    assert len(ids) == len(set(ids)) == 250
    assert set(ids) <= seen_by_worker
    assert {e["state"] for e in shown} == {"dispatched"}
    assert len(set(counts)) == 1, counts


async def test_a_cursor_not_of_ours_is_a_400(people: People, demo: None) -> None:
    headers = bearer(await people.token(RESIDENT))
    for bad in ("!!", "aWQ6MA", "eDox"):  # not base64; id:0; another kind
        response = await people.client.get(EVENTS, params={"cursor": bad}, headers=headers)
        assert response.status_code == 400, bad
        assert response.json()["code"] == "cursor_invalid"
