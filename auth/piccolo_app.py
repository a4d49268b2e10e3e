"""Auth's piccolo app: signing keys, one-time codes, refresh tokens, revocations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from auth.tables import OneTimeCode, RefreshToken, Revocation, SigningKeyRow

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=str(Path(migrations.__file__).parent / "auth"),
    table_classes=[SigningKeyRow, OneTimeCode, RefreshToken, Revocation],
)
