"""The browser pages as a part of the host: public routes serving built files; every call the
pages make goes to the API, with the signed-in person's token."""

from __future__ import annotations

from litestar import Router

from backend.kernel.contract import HostPart
from backend.kernel.ratelimit import Quota
from backend.kernel.ratelimit.middleware import rate_limited
from backend.shell.pages import ROUTES

SHELL = HostPart(
    name="shell",
    order=90,
    router=Router(
        path="/",
        route_handlers=ROUTES,
        include_in_schema=False,
        middleware=[rate_limited(Quota.PUBLIC)],
    ),
)
