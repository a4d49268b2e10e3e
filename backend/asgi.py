"""The ASGI app a server imports: settings from the environment, and a line in the log per
request served when the settings ask for one (by default in dev)."""

from __future__ import annotations

from litestar.types import ASGIApp

from backend.app import create_app
from backend.kernel.settings import get_settings

settings = get_settings()
app: ASGIApp = create_app(settings, access_log=settings.logs_access)
