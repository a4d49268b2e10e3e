"""The grid events' piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.grid_events.tables import (
    DispatchRule,
    Escalation,
    GridEvent,
    OffDuty,
    Photo,
    Sensor,
    TimelineEntry,
)

APP_CONFIG = AppConfig(
    app_name="grid_events",
    migrations_folder_path=str(Path(migrations.__file__).parent / "grid_events"),
    table_classes=[GridEvent, TimelineEntry, Escalation, Sensor, Photo, OffDuty, DispatchRule],
)
