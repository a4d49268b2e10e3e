from piccolo.columns import JSON, BigInt, BigSerial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OrgUnit(Table, tablename="org_unit"):
    """A unit of the org tree: city, district, street office, community or grid."""

    id = BigSerial(primary_key=True)
    path = Varchar(length=200, unique=True, index=True)
    name = Varchar(length=100)
    level = Varchar(length=16)
    parent_path = Varchar(length=200, null=True, default=None, index=True)
    polygon = JSON(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class GridCell(Table, tablename="org_grid_cell"):
    """A square of the map (`geometry.CELL` degrees a side) that a grid's polygon touches:
    placing a point reads the grids filed under its square, however many the city has."""

    id = BigSerial(primary_key=True)
    cell = BigInt(index=True)
    path = Varchar(length=200, index=True)
