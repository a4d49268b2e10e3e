"""Grid polygons (GeoJSON, lon/lat order) and placing a point in one."""

from __future__ import annotations

import itertools
import math
from typing import Any

Ring = list[list[float]]

# The side, in degrees, of the squares a grid's polygon is filed under (about 1.1 km north
# to south): a grid (网格) is a few hundred households, so it lies in a few squares, and
# placing a point reads the grids of its square only.
CELL = 0.01
# A grid may span this many squares each way (about 110 km): any more is not a grid.
MOST_CELLS_ACROSS = 100
_COLUMNS = round(360 / CELL) + 1


def cell_at(lon: float, lat: float) -> int:
    """The number of the square that holds the point."""
    return _cell(math.floor(lon / CELL), math.floor(lat / CELL))


def _cell(column: int, row: int) -> int:
    return (row + round(90 / CELL)) * _COLUMNS + column + round(180 / CELL)


def cells_of(geometry: dict[str, Any]) -> list[int]:
    """Every square that the polygon's bounding box touches: each point inside the polygon
    lies in one of them (floor and division keep the order of their arguments)."""
    west, south, east, north = _bounds(geometry)
    columns = range(math.floor(west / CELL), math.floor(east / CELL) + 1)
    rows = range(math.floor(south / CELL), math.floor(north / CELL) + 1)
    return [_cell(column, row) for row in rows for column in columns]


def too_wide(geometry: dict[str, Any]) -> bool:
    west, south, east, north = _bounds(geometry)
    across = max(east - west, north - south)
    return across / CELL >= MOST_CELLS_ACROSS


def _bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    # The outer rings bound the polygon; holes lie inside them.
    positions = [position for outer, *_ in polygons for position in outer]
    lons = [position[0] for position in positions]
    lats = [position[1] for position in positions]
    return min(lons), min(lats), max(lons), max(lats)


def polygon_problem(geometry: Any) -> str | None:
    """Why `geometry` is not a usable GeoJSON Polygon or MultiPolygon, or None if it is."""
    if not isinstance(geometry, dict):
        return "must be a GeoJSON object"
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        polygons = coords
    else:
        return "type must be Polygon or MultiPolygon"
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return "a polygon needs at least one ring"
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return problem
    return None


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "a ring needs at least four positions"
    for position in ring:
        if not (
            isinstance(position, list)
            and len(position) >= 2
            and all(isinstance(v, int | float) for v in position[:2])
            and -180 <= position[0] <= 180
            and -90 <= position[1] <= 90
        ):
            return "a position is [longitude, latitude] within range"
    if ring[0][:2] != ring[-1][:2]:
        return "a ring must end where it starts"
    return None


def contains(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    """Point in polygon by ray casting; holes (inner rings) are excluded."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for outer, *holes in polygons:
        if _in_ring(outer, lon, lat) and not any(_in_ring(h, lon, lat) for h in holes):
            return True
    return False


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside
