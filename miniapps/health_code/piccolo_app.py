"""The health code's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.health_code.tables import (
    CheckIn,
    HealthStatus,
    HolderKey,
    Place,
    RiskLevel,
    Scan,
    StatusChange,
)

APP_CONFIG = AppConfig(
    app_name="health_code",
    migrations_folder_path=str(Path(migrations.__file__).parent / "health_code"),
    table_classes=[HealthStatus, StatusChange, HolderKey, Scan, Place, CheckIn, RiskLevel],
)
