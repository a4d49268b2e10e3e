"""The duplicate search reads only a box around the place: it must still find every open
event of the category within the radius, wherever on the circle it lies, and nothing
beyond it."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from backend.kernel.events.outbox import unit_of_work
from miniapps.grid_events.duplicates import (
    RADIUS_METRES,
    box_around,
    metres_between,
    original_of,
)
from miniapps.grid_events.opening import open_event
from miniapps.grid_events.schemas import ReportIn
from miniapps.grid_events.tables import GridEvent

G07 = "zz/gx/fengyang/c03/g07"
CENTRE = (34.805, 113.555)  # inside g07


def _point_at(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """The point `metres` away from (lat, lon) towards `bearing` (degrees), on the sphere."""
    earth = 6_371_000.0
    d, b = metres / earth, math.radians(bearing)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


@pytest.mark.parametrize("lat", [0.0, 34.8, 60.0, 80.0, 88.9, 89.5, 89.9999, -45.0, -89.7])
def test_the_box_holds_the_whole_circle(lat: float) -> None:
    north_south, east_west = box_around(lat)
    for bearing in range(0, 360, 5):
        p, q = _point_at(lat, 100.0, RADIUS_METRES, bearing)
        assert abs(p - lat) <= north_south, bearing
        # Near a pole the box has no east-west bound: every longitude is near.
        assert east_west is None or abs(q - 100.0) <= east_west, bearing


async def _opened(lat: float, lon: float, category: str = "street_vending") -> int:
    report = ReportIn(category=category, description="占道经营", lat=lat, lon=lon)
    async with unit_of_work():
        event, _ = await open_event(data=report, grid=G07, reporter_id=1)
    return int(event["id"])


async def test_an_event_on_any_side_within_the_radius_is_found(demo: None) -> None:
    lat, lon = CENTRE
    for bearing in (0, 45, 90, 135, 180, 225, 270, 315):
        p, q = _point_at(lat, lon, RADIUS_METRES - 1, bearing)
        await GridEvent.delete(force=True)
        event = await _opened(p, q)
        found = await original_of(category="street_vending", grid=G07, lat=lat, lon=lon)
        assert found is not None, bearing
        assert found["id"] == event, bearing
        assert metres_between(lat, lon, p, q) <= RADIUS_METRES


async def test_beyond_the_radius_or_of_another_category_is_not(demo: None) -> None:
    lat, lon = CENTRE
    for bearing in (0, 45, 90, 135):  # the box's corners lie beyond the circle
        p, q = _point_at(lat, lon, RADIUS_METRES + 2, bearing)
        await _opened(p, q)
    await _opened(lat, lon, category="dust")
    assert await original_of(category="street_vending", grid=G07, lat=lat, lon=lon) is None


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
