"""The service engine's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.gov_services.tables import (
    Application,
    ApplicationStatus,
    BundleApplication,
    BundleVersion,
    IssuedLicence,
    ItemDistrict,
    ItemVersion,
    MaterialItem,
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
        RefCounter,
        BundleVersion,
        BundleApplication,
        IssuedLicence,
        ItemDistrict,
    ],
)
