"""The org tree: import (all rows or none), children, and placing a point in a grid."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import msgspec

from backend.directory.errors import DirectoryCode
from backend.directory.orgs import geometry
from backend.directory.orgs.schemas import ImportReport, OrgUnitIn, OrgUnitPage, OrgUnitView
from backend.directory.orgs.tables import GridCell, OrgUnit
from backend.kernel.db import fetch_rows, insert_rows, transaction
from backend.kernel.errors import FieldError, NotFound, Unprocessable
from backend.kernel.pagination import decode_cursor, encode_cursor
from backend.kernel.paths import Level, is_valid, level_of, parent_of

Progress = Callable[[int], None]


def parse_units(text: str, *, fmt: str) -> list[OrgUnitIn]:
    """Rows of a JSON list (or {"units": [...]}) or a CSV with path,name[,level][,polygon]."""
    if fmt == "json":
        data = json.loads(text)
        rows = data.get("units", []) if isinstance(data, dict) else data
    else:
        rows = [_csv_row(r) for r in csv.DictReader(io.StringIO(text))]
    try:
        return msgspec.convert(rows, list[OrgUnitIn])
    except msgspec.ValidationError as err:
        raise Unprocessable(
            DirectoryCode.ORG_IMPORT_INVALID, errors=[FieldError(field="file", message=str(err))]
        ) from err


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in row.items() if k and v}
    if "polygon" in out:
        try:
            out["polygon"] = json.loads(out["polygon"])
        except json.JSONDecodeError:
            out["polygon"] = "not JSON"
    return out


async def import_units(units: list[OrgUnitIn], progress: Progress | None = None) -> ImportReport:
    """Create or update every unit, or, if any row is wrong, none; errors name their rows."""
    existing = {r["path"] for r in await OrgUnit.select(OrgUnit.path)}
    errors = _validate(units, existing)
    if errors:
        raise Unprocessable(DirectoryCode.ORG_IMPORT_INVALID, errors=errors)
    created = updated = 0
    async with transaction():
        for unit in sorted(units, key=lambda u: u.path.count("/")):
            if unit.path in existing:
                await OrgUnit.update(
                    {OrgUnit.name: unit.name, OrgUnit.polygon: unit.polygon}
                ).where(OrgUnit.path == unit.path)
                updated += 1
            else:
                await OrgUnit.insert(_row(unit))
                created += 1
            await _file_grid(unit)
            if progress:
                progress(1)
    return ImportReport(created=created, updated=updated)


async def _file_grid(unit: OrgUnitIn) -> None:
    """File a grid under the squares its polygon touches, and under no others."""
    if level_of(unit.path) != Level.GRID:
        return
    await GridCell.delete().where(GridCell.path == unit.path)
    if unit.polygon is not None:
        cells = geometry.cells_of(unit.polygon)
        await insert_rows(GridCell, (GridCell.cell, GridCell.path), [(c, unit.path) for c in cells])


def _row(unit: OrgUnitIn) -> OrgUnit:
    return OrgUnit(
        path=unit.path,
        name=unit.name,
        level=level_of(unit.path),
        parent_path=parent_of(unit.path),
        polygon=unit.polygon,
    )


def _validate(units: list[OrgUnitIn], existing: set[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    known = existing | {u.path for u in units}
    seen: set[str] = set()
    for row, unit in enumerate(units, start=1):
        for field, message in _unit_problems(unit, known, seen):
            errors.append(FieldError(field=field, message=message, row=row))
        seen.add(unit.path)
    return errors


def _unit_problems(unit: OrgUnitIn, known: set[str], seen: set[str]) -> list[tuple[str, str]]:
    if not is_valid(unit.path):
        return [("path", "lowercase segments a-z 0-9 -, at most five levels")]
    problems = []
    if unit.path in seen:
        problems.append(("path", "appears twice in the file"))
    if not unit.name.strip() or len(unit.name) > 100:
        problems.append(("name", "1 to 100 characters"))
    if unit.level is not None and unit.level != level_of(unit.path):
        problems.append(("level", f"a path this deep is a {level_of(unit.path)}"))
    parent = parent_of(unit.path)
    if parent is not None and parent not in known:
        problems.append(("path", f"parent {parent} is neither in the file nor in the tree"))
    if unit.polygon is not None:
        reason = geometry.polygon_problem(unit.polygon)
        if reason:
            problems.append(("polygon", reason))
        elif level_of(unit.path) == Level.GRID and geometry.too_wide(unit.polygon):
            across = geometry.MOST_CELLS_ACROSS * geometry.CELL
            problems.append(("polygon", f"a grid spans less than {across:g} degree each way"))
    return problems


async def children_of(path: str | None, *, cursor: str | None, limit: int) -> OrgUnitPage:
    """The units directly below `path` (the cities when None) in the order they were
    imported, which is the order of the city's own list; a page at a time."""
    if path is not None and not await OrgUnit.exists().where(OrgUnit.path == path):
        raise NotFound(DirectoryCode.ORG_UNKNOWN)
    where: Any = OrgUnit.parent_path.is_null() if path is None else OrgUnit.parent_path == path
    if cursor:
        where &= OrgUnit.id > decode_cursor(cursor)
    rows = await OrgUnit.select().where(where).order_by(OrgUnit.id).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return OrgUnitPage(
        items=[_view(r) for r in rows],
        next_cursor=encode_cursor(rows[-1]["id"]) if more else None,
    )


async def unit_at(path: str) -> OrgUnitView | None:
    row = await OrgUnit.select().where(OrgUnit.path == path).first()
    return _view(row) if row else None


async def require_unit(path: str, *levels: Level, field: str) -> None:
    """Refuse, as a 422 naming `field`, a path that names no existing unit of one of `levels`
    (of any level, if none is given): a rule or a device placed on a path nobody holds would
    route its events where nobody sees them."""
    row = None
    if is_valid(path):
        row = await OrgUnit.select(OrgUnit.level).where(OrgUnit.path == path).first()
    if row is None or (levels and row["level"] not in levels):
        expected = "/".join(levels) if levels else "org unit"
        raise Unprocessable(
            DirectoryCode.ORG_UNIT_UNKNOWN,
            errors=[FieldError(field=field, message=f"no {expected} has this path")],
        )


def _view(row: dict[str, Any]) -> OrgUnitView:
    return OrgUnitView(
        path=row["path"],
        name=row["name"],
        level=row["level"],
        parent_path=row["parent_path"],
        has_polygon=row["polygon"] is not None,
    )


async def place_in_grid(*, lon: float, lat: float, within: str | None = None) -> str | None:
    """The path of the grid whose polygon holds the point, if any does (the first by path
    where polygons overlap). Only the grids filed under the point's square are read, so
    placing costs the same in a city of ten grids or of ten thousand."""
    sql = _GRIDS_AT
    args: list[Any] = [geometry.cell_at(lon, lat)]
    if within:
        sql = _GRIDS_AT_WITHIN
        args.append(within + "/%")
    for row in await fetch_rows(sql, *args):
        polygon = row["polygon"]
        shape = json.loads(polygon) if isinstance(polygon, str) else polygon
        if geometry.contains(shape, lon, lat):
            return str(row["path"])
    return None


_GRIDS_AT = (
    f"SELECT u.path, u.polygon FROM {GridCell._meta.tablename} c "  # noqa: S608 - own names
    f"JOIN {OrgUnit._meta.tablename} u ON u.path = c.path "
    "WHERE c.cell = $1 AND u.polygon IS NOT NULL"
)
_GRIDS_AT_WITHIN = f"{_GRIDS_AT} AND u.path LIKE $2 ORDER BY u.path"
_GRIDS_AT = f"{_GRIDS_AT} ORDER BY u.path"
