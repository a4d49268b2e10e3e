"""Piccolo's view of Yimen: the engine from settings and every piccolo app, host and mini-apps."""

from piccolo.conf.apps import AppRegistry

from backend.kernel.db import engine_for
from backend.kernel.registry import piccolo_apps
from backend.kernel.settings import get_settings

DB = engine_for(get_settings())

APP_REGISTRY = AppRegistry(apps=piccolo_apps())
