from piccolo.columns import BigInt, BigSerial, Boolean, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class MiniAppSwitch(Table, tablename="miniapp_switch"):
    """A mini-app switched on or off city-wide (district empty) or within one district."""

    id = BigSerial(primary_key=True)
    app_id = Varchar(length=32, index=True)
    district = Varchar(length=200, default="")
    enabled = Boolean()
    changed_by = BigInt(null=True, default=None)
    changed_at = Timestamptz(default=TimestamptzNow())
