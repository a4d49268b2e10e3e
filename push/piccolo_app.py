"""Push's piccolo app: devices, notifications, inbox, deliveries, preferences, topics."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from push.tables import (
    Delivery,
    Device,
    InboxItem,
    Notification,
    Preference,
    TopicSend,
    TopicSubscription,
)

APP_CONFIG = AppConfig(
    app_name="push",
    migrations_folder_path=str(Path(migrations.__file__).parent / "push"),
    table_classes=[
        Device,
        Notification,
        InboxItem,
        Delivery,
        Preference,
        TopicSubscription,
        TopicSend,
    ],
)
