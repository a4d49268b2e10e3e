"""The host's event tables: outbox, handled markers, dead letters."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from backend.kernel.events.tables import DeadLetter, HandledEvent, OutboxEvent

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(migrations.__file__).parent / "events"),
    table_classes=[OutboxEvent, HandledEvent, DeadLetter],
)
