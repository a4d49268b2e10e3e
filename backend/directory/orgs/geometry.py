"""Grid polygons (GeoJSON, lon/lat order) and placing a point in one."""

from __future__ import annotations

import itertools
from typing import Any

Ring = list[list[float]]


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
