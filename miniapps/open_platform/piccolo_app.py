"""The open platform's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.open_platform.tables import (
    AppSecret,
    AppVersion,
    Consent,
    DistrictSwitch,
    LaunchCode,
    OpenApp,
    OpenIdentity,
    OpenToken,
    Publisher,
    ReleaseEntry,
    UsageCount,
    WebhookAttempt,
    WebhookDelivery,
    WebhookKey,
)

APP_CONFIG = AppConfig(
    app_name="open_platform",
    migrations_folder_path=str(Path(migrations.__file__).parent / "open_platform"),
    table_classes=[
        Publisher,
        OpenApp,
        AppSecret,
        AppVersion,
        OpenToken,
        ReleaseEntry,
        DistrictSwitch,
        Consent,
        LaunchCode,
        OpenIdentity,
        WebhookKey,
        WebhookDelivery,
        WebhookAttempt,
        UsageCount,
    ],
)
