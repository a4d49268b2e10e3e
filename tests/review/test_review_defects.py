"""Defects found reviewing the prepared statements, the duplicate search's box and the
in-process job queue: each test states what should hold and fails while it does not."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from backend.kernel.db import fetch_rows
from backend.kernel.jobs import InProcessQueue
from miniapps.grid_events.duplicates import RADIUS_METRES, box_around, metres_between, original_of
from miniapps.grid_events.tables import GridEvent
from tests.support import eventually


async def test_a_dollar_sign_inside_a_string_literal_is_text_on_both_engines() -> None:
    # fetch_rows is in the SDK; a literal holding "$1" must read back as written, as it
    # does on PostgreSQL, not be rewritten to "?1" on SQLite.
    rows = await fetch_rows("SELECT 'costs $1' AS v, $1 AS w", "x")
    assert (rows[0]["v"], rows[0]["w"]) == ("costs $1", "x")


async def test_a_job_that_raises_cancelled_error_does_not_stop_the_queue() -> None:
    done: list[str] = []

    async def cancelled(ctx: dict[str, Any]) -> None:
        # e.g. awaiting a future another task cancelled (a closed connection's waiter)
        raise asyncio.CancelledError

    async def work(ctx: dict[str, Any], name: str) -> None:
        done.append(name)

    queue = InProcessQueue({"cancelled": cancelled, "work": work}, {}, runners=1)
    try:
        await queue.enqueue("cancelled")
        await asyncio.sleep(0.05)
        await queue.enqueue("work", "after")

        async def ran() -> bool:
            return done == ["after"]

        await eventually(ran, 3.0, what="the job queued after it ran")
    finally:
        await queue.close()


async def _event_at(lat: float, lon: float) -> int:
    rows = await GridEvent.insert(
        GridEvent(
            category="manhole_cover",
            description="井盖",
            attributes={},
            lat=lat,
            lon=lon,
            grid_path="zz/g1",
            reporter_id=1,
            state="reported",
            created_at=dt.datetime.now(dt.UTC),
        )
    ).returning(GridEvent.id)
    return int(rows[0]["id"])


async def test_a_repeat_across_the_180th_meridian_is_still_a_duplicate() -> None:
    first = await _event_at(0.0, 179.99995)
    assert metres_between(0.0, 179.99995, 0.0, -179.99995) < RADIUS_METRES
    found = await original_of(category="manhole_cover", grid="zz/g1", lat=0.0, lon=-179.99995)
    assert found is not None
    assert found["id"] == first


async def test_a_repeat_near_the_pole_is_still_a_duplicate() -> None:
    first = await _event_at(89.9999, 0.0)
    assert metres_between(89.9999, 0.0, 89.9999, 3.0) < RADIUS_METRES
    found = await original_of(category="manhole_cover", grid="zz/g1", lat=89.9999, lon=3.0)
    assert found is not None
    assert found["id"] == first


def test_the_box_holds_every_point_within_the_radius_at_high_latitude() -> None:
    lat = 89.5
    _, east_west = box_around(lat)
    lon = east_west * 1.2  # outside the box, yet well inside the radius
    assert metres_between(lat, 0.0, lat, lon) > RADIUS_METRES or lon <= east_west
