import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, BigSerial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from backend.directory.orgs.geometry import cells_of

ID = "2026-12-04T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "grids filed under the squares of the map their polygons touch"


def _params(**own):
    return {
        "default": None,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **own,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="backend", description=DESCRIPTION)
    table = {"table_class_name": "GridCell", "tablename": "org_grid_cell", "schema": None}
    manager.add_table(class_name="GridCell", tablename="org_grid_cell", schema=None, columns=None)
    manager.add_column(
        **table,
        column_name="id",
        db_column_name="id",
        column_class_name="BigSerial",
        column_class=BigSerial,
        params=_params(primary_key=True),
    )
    manager.add_column(
        **table,
        column_name="cell",
        db_column_name="cell",
        column_class_name="BigInt",
        column_class=BigInt,
        params=_params(default=0, index=True),
    )
    manager.add_column(
        **table,
        column_name="path",
        db_column_name="path",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(default="", length=200, index=True),
    )

    async def file_grids():
        engine = engine_finder()
        grids = await engine.run_querystring(
            QueryString(
                "SELECT path, polygon FROM org_unit WHERE level = {} AND polygon IS NOT NULL",
                "grid",
            )
        )
        for grid in grids:
            polygon = grid["polygon"]
            shape = json.loads(polygon) if isinstance(polygon, str) else polygon
            for cell in cells_of(shape):
                await engine.run_querystring(
                    QueryString(
                        "INSERT INTO org_grid_cell (cell, path) VALUES ({}, {})", cell, grid["path"]
                    )
                )

    manager.add_raw(file_grids)
    return manager
