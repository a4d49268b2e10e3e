"""Placing a point in a grid reads only the grids filed under the point's square of the map,
and finds the same grid as testing every polygon of the city would."""

from __future__ import annotations

import importlib
import random
from typing import Any

import pytest

from backend.directory.orgs import geometry
from backend.directory.orgs.schemas import OrgUnitIn
from backend.directory.orgs.service import import_units, place_in_grid
from backend.directory.orgs.tables import GridCell, OrgUnit
from backend.kernel.errors import YimenError

TREE = [
    OrgUnitIn(path="zz", name="郑州市"),
    OrgUnitIn(path="zz/gx", name="高新区"),
    OrgUnitIn(path="zz/gx/fy", name="枫杨街道"),
    OrgUnitIn(path="zz/gx/fy/c01", name="西岗社区"),
]
SIDE = 0.004  # a grid a little under half a kilometre across: several to a square


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _city(rows: int, columns: int) -> list[OrgUnitIn]:
    """Grids side by side in rows and columns, from 113.5°E 34.7°N, with gaps between them
    (each a little smaller than its place), so that some points lie in no grid."""
    grids = []
    for row in range(rows):
        for column in range(columns):
            west, south = 113.5 + column * SIDE, 34.7 + row * SIDE
            shape = _box(west, south, west + SIDE * 0.9, south + SIDE * 0.9)
            grids.append(
                OrgUnitIn(path=f"zz/gx/fy/c01/g{row}x{column}", name="网格", polygon=shape)
            )
    return grids


def _everywhere(grids: list[OrgUnitIn], lon: float, lat: float) -> str | None:
    """The first grid by path that holds the point, testing every polygon."""
    holding = [g.path for g in grids if g.polygon and geometry.contains(g.polygon, lon, lat)]
    return min(holding) if holding else None


async def test_points_are_placed_as_testing_every_grid_would() -> None:
    grids = _city(20, 20)
    await import_units(TREE + grids)
    chance = random.Random(7)
    found = 0
    for _ in range(300):
        lon, lat = 113.5 + chance.random() * 0.085, 34.7 + chance.random() * 0.085
        expected = _everywhere(grids, lon, lat)
        assert await place_in_grid(lon=lon, lat=lat) == expected, (lon, lat)
        found += expected is not None
    assert found > 150  # most points lie in a grid: the test does not pass on None alone
    # A corner of a grid on a line between squares is found from either side of it.
    assert await place_in_grid(lon=113.5 + 5 * SIDE, lat=34.7 + 5 * SIDE) == "zz/gx/fy/c01/g5x5"


async def test_a_grid_is_filed_under_the_squares_it_touches_and_no_others() -> None:
    grids = _city(20, 20)
    await import_units(TREE + grids)
    filed = await GridCell.select(GridCell.cell, GridCell.path)
    # 400 grids a little under half a kilometre wide: one to four squares each.
    assert 400 <= len(filed) <= 1600
    squares = {row["cell"] for row in filed}
    assert len(squares) <= 100  # the 0.08° × 0.08° the city covers, and its edge
    at = geometry.cell_at(113.5005, 34.7005)
    assert {row["path"] for row in filed if row["cell"] == at} >= {"zz/gx/fy/c01/g0x0"}


async def test_a_grid_moved_or_cleared_is_found_where_it_is_now() -> None:
    old, new = _box(113.0, 34.0, 113.004, 34.004), _box(113.2, 34.2, 113.204, 34.204)
    grid = "zz/gx/fy/c01/g01"
    await import_units([*TREE, OrgUnitIn(path=grid, name="网格", polygon=old)])
    assert await place_in_grid(lon=113.002, lat=34.002) == grid
    await import_units([OrgUnitIn(path=grid, name="网格", polygon=new)])
    assert await place_in_grid(lon=113.002, lat=34.002) is None
    assert await place_in_grid(lon=113.202, lat=34.202) == grid
    await import_units([OrgUnitIn(path=grid, name="网格")])
    assert await place_in_grid(lon=113.202, lat=34.202) is None
    assert await GridCell.count() == 0


async def test_within_keeps_to_a_subtree() -> None:
    grids = _city(2, 2)
    await import_units(TREE + grids)
    assert await place_in_grid(lon=113.501, lat=34.701, within="zz/gx") == "zz/gx/fy/c01/g0x0"
    assert await place_in_grid(lon=113.501, lat=34.701, within="zz/jinshui") is None


async def test_a_grid_wider_than_a_degree_is_refused_and_nothing_is_imported() -> None:
    wide = OrgUnitIn(path="zz/gx/fy/c01/g01", name="网格", polygon=_box(113.0, 34.0, 114.2, 34.1))
    with pytest.raises(YimenError) as caught:
        await import_units([*TREE, wide])
    assert [(e.row, e.field) for e in caught.value.errors or []] == [(5, "polygon")]
    assert await OrgUnit.count() == 0
    assert await GridCell.count() == 0


async def test_the_migration_files_the_grids_already_imported() -> None:
    await import_units(TREE + _city(3, 3))
    filed = sorted(
        (r["cell"], r["path"]) for r in await GridCell.select(GridCell.cell, GridCell.path)
    )
    await GridCell.delete(force=True)
    migration = importlib.import_module("migrations.backend.backend_2026_12_04t00_00_00_000000")
    manager = await migration.forwards()
    for step in manager.raw:
        await step()
    again = sorted(
        (r["cell"], r["path"]) for r in await GridCell.select(GridCell.cell, GridCell.path)
    )
    assert again == filed
