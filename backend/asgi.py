"""The ASGI app a server imports: settings from the environment."""

from backend.app import create_app
from backend.kernel.settings import get_settings

app = create_app(get_settings())
