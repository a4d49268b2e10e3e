"""Duplicate reports: the same category within a radius and a time window is one event."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from miniapps.grid_events.states import UNFINISHED
from miniapps.grid_events.tables import GridEvent

RADIUS_METRES = 50.0
WINDOW = dt.timedelta(hours=24)
_EARTH = 6_371_000.0


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH * math.asin(math.sqrt(a))


def box_around(lat: float) -> tuple[float, float | None]:
    """Half the sides, in degrees of latitude and of longitude, of a box that holds every
    point within the radius of a place at `lat` (with a margin for the stored reals'
    rounding). A degree of longitude shrinks towards the poles; within a degree of a pole
    every longitude is near, and the box has no east-west bound (None)."""
    north_south = math.degrees(RADIUS_METRES / _EARTH) * 1.01 + 1e-5
    edge = abs(lat) + north_south
    if edge >= 89.0:
        return north_south, None
    return north_south, north_south / math.cos(math.radians(edge))


async def original_of(
    *, category: str, grid: str, lat: float | None, lon: float | None
) -> dict[str, Any] | None:
    """The open event this report repeats, if one lies within the radius and window. Only
    the events in a box around the place are read (an index on category, grid and latitude
    finds them), so the search costs the same however many events the grid has had."""
    if lat is None or lon is None:
        return None
    since = dt.datetime.now(dt.UTC) - WINDOW
    north_south, east_west = box_around(lat)
    near: Any = (GridEvent.lat >= lat - north_south) & (GridEvent.lat <= lat + north_south)
    # A box across the 180th meridian would wrap: there, the strip of latitude alone.
    if east_west is not None and lon - east_west >= -180 and lon + east_west <= 180:
        near &= (GridEvent.lon >= lon - east_west) & (GridEvent.lon <= lon + east_west)
    candidates = (
        await GridEvent.select(GridEvent.id, GridEvent.lat, GridEvent.lon, GridEvent.state)
        .where(
            (GridEvent.category == category)
            & (GridEvent.grid_path == grid)
            & near
            & (GridEvent.created_at > since)
            & GridEvent.state.is_in(list(UNFINISHED))
        )
        .order_by(GridEvent.id)
    )
    for event in candidates:
        if metres_between(lat, lon, event["lat"], event["lon"]) <= RADIUS_METRES:
            return event
    return None
