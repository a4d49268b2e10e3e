"""The service engine's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.gov_services.tables import (
    Application,
    ApplicationStatus,
    BundleApplication,
    BundleVersion,
    DeadlineNotice,
    Escalation,
    IssuedLicence,
    ItemDistrict,
    ItemVersion,
    MaterialItem,
    Rating,
    RatingAppeal,
    Rectification,
    RefCounter,
    ServiceItem,
)

APP_CONFIG = AppConfig(
    app_name="gov_services",
    migrations_folder_path=str(Path(migrations.__file__).parent / "gov_services"),
    table_classes=[
        ServiceItem,
        ItemVersion,
        Application,
        ApplicationStatus,
        MaterialItem,
        ItemDistrict,
        # the deadline watch
        DeadlineNotice,
        Escalation,
        # 好差评
        Rating,
        Rectification,
        RatingAppeal,
        RefCounter,
        # bundles (一件事), and the licences the demo's deliveries issue
        BundleVersion,
        BundleApplication,
        IssuedLicence,
    ],
)
