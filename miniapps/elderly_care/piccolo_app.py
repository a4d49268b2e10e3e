"""The elderly care mini-app's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.elderly_care.tables import (
    Alarm,
    AlarmEntry,
    Booking,
    CareService,
    CareSlot,
    CheckinDay,
    CheckinPlan,
    Device,
    DeviceReading,
    Elder,
    FamilyBinding,
    SosRules,
    Subsidy,
    Visit,
    VisitPhoto,
    VisitPlan,
)

APP_CONFIG = AppConfig(
    app_name="elderly_care",
    migrations_folder_path=str(Path(migrations.__file__).parent / "elderly_care"),
    table_classes=[
        Elder,
        FamilyBinding,
        SosRules,
        Alarm,
        AlarmEntry,
        CheckinPlan,
        CheckinDay,
        Device,
        DeviceReading,
        CareService,
        CareSlot,
        Booking,
        Subsidy,
        VisitPlan,
        Visit,
        VisitPhoto,
    ],
)
