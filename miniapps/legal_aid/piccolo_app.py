"""The legal services mini-app's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.legal_aid.tables import (
    AidCase,
    AidConflict,
    AidHearing,
    AidNote,
    AidRefusal,
    Attachment,
    Consultation,
    ConsultMessage,
    Lawyer,
    Mediation,
    MediationRecusal,
    MediationSession,
    Shift,
    Station,
)

APP_CONFIG = AppConfig(
    app_name="legal_aid",
    migrations_folder_path=str(Path(migrations.__file__).parent / "legal_aid"),
    table_classes=[
        Station,
        Lawyer,
        Shift,
        Consultation,
        ConsultMessage,
        Attachment,
        Mediation,
        MediationRecusal,
        MediationSession,
        AidCase,
        AidConflict,
        AidNote,
        AidHearing,
        AidRefusal,
    ],
)
