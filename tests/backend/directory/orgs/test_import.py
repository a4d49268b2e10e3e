"""Org tree import: everything or nothing, with errors that name their rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.directory.orgs.schemas import OrgUnitIn
from backend.directory.orgs.service import children_of, import_units, parse_units, place_in_grid
from backend.directory.orgs.tables import OrgUnit
from backend.kernel.errors import YimenError
from tests.support import yimen

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[113.0, 34.0], [113.1, 34.0], [113.1, 34.1], [113.0, 34.1], [113.0, 34.0]]],
}

GOOD_CSV = """path,name,level,polygon
zz,郑州市,city,
zz/gx,高新区,district,
zz/gx/fy,枫杨街道,street,
zz/gx/fy/c03,西岗社区,community,
"zz/gx/fy/c03/g07",第七网格,grid,"{polygon}"
""".format(polygon=json.dumps(SQUARE).replace('"', '""'))


async def test_csv_import_builds_the_tree() -> None:
    report = await import_units(parse_units(GOOD_CSV, fmt="csv"))
    assert report.created == 5
    grids = (await children_of("zz/gx/fy/c03", cursor=None, limit=50)).items
    assert [(g.path, g.level, g.has_polygon) for g in grids] == [("zz/gx/fy/c03/g07", "grid", True)]


async def test_importing_twice_updates_instead_of_duplicating() -> None:
    await import_units(parse_units(GOOD_CSV, fmt="csv"))
    report = await import_units(parse_units(GOOD_CSV, fmt="csv"))
    assert (report.created, report.updated) == (0, 5)
    assert await OrgUnit.count() == 5


async def test_one_bad_row_imports_nothing_and_names_every_bad_row() -> None:
    units = [
        OrgUnitIn(path="zz", name="郑州市"),
        OrgUnitIn(path="zz/gx", name="高新区", level="grid"),
        OrgUnitIn(path="zz/nowhere/x", name="孤儿"),
        OrgUnitIn(path="Bad Path", name="x"),
        OrgUnitIn(path="zz", name="again"),
        OrgUnitIn(path="zz/jd", name="金水", polygon={"type": "Point", "coordinates": [1, 2]}),
    ]
    with pytest.raises(YimenError) as caught:
        await import_units(units)
    rows = {(e.row, e.field) for e in caught.value.errors or []}
    assert rows == {(2, "level"), (3, "path"), (4, "path"), (5, "path"), (6, "polygon")}
    assert await OrgUnit.count() == 0


async def test_a_point_is_placed_in_its_grid() -> None:
    await import_units(parse_units(GOOD_CSV, fmt="csv"))
    assert await place_in_grid(lon=113.05, lat=34.05) == "zz/gx/fy/c03/g07"
    assert await place_in_grid(lon=113.5, lat=34.05) is None


async def test_cli_import_reports_rows_and_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "orgs.json"
    bad.write_text(
        json.dumps([{"path": "zz", "name": "郑州市"}, {"path": "zz/a/b", "name": "孤儿"}]),
        encoding="utf-8",
    )
    result = await yimen("orgs", "import", str(bad))
    assert result.returncode == 1
    assert "row 2: path: parent zz/a is neither in the file nor in the tree" in result.stderr
    assert "nothing imported" in result.stderr
    assert await OrgUnit.count() == 0


async def test_cli_import_loads_a_good_file(tmp_path: Path) -> None:
    good = tmp_path / "orgs.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    result = await yimen("orgs", "import", str(good))
    assert result.returncode == 0, result.stderr
    assert "5 created, 0 updated" in result.stdout
    assert await OrgUnit.count() == 5


async def test_cli_import_of_unreadable_json_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "orgs.json"
    bad.write_text("{not json", encoding="utf-8")
    result = await yimen("orgs", "import", str(bad))
    assert result.returncode == 1
    assert "cannot read" in result.stderr
