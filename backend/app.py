"""create_app(settings) -> Litestar; nothing else."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Server
from litestar.routes import HTTPRoute

import backend
from auth.controllers import AuthController, RevocationController, jwks
from auth.middleware import BearerTokenMiddleware, SignedIn
from auth.runtime import AuthRuntime
from backend.badges import BadgeBoard
from backend.directory.orgs.controllers import list_org_units
from backend.directory.users.controllers import StaffController, get_me, get_person
from backend.health import healthz, readyz
from backend.host import Host, load_registry
from backend.kernel.db import close_database, current_engine, open_database
from backend.kernel.enablement.middleware import SwitchedOn
from backend.kernel.enablement.service import Enablement
from backend.kernel.errors import EXCEPTION_HANDLERS, PROBLEM_RESPONSES
from backend.kernel.registry import Installed, Registry
from backend.kernel.requests import JsonRequest, RefuseNulInUrl
from backend.kernel.settings import Settings
from backend.launcher import Launcher
from backend.launcher_controllers import (
    get_launcher,
    list_miniapps,
    switch_miniapp,
)
from push.controllers import ROUTES as PUSH_ROUTES

SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}]


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Yimen",
        version=backend.__version__,
        description="One door for every service of a city: login, tiles, mini-apps, push.",
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
    )


def _miniapp_routers(registry: Registry) -> list[Router]:
    """Each mini-app's router under /v1/miniapps/<id>/, reachable only where it is on."""
    return [
        Router(
            path=f"/v1/miniapps/{manifest.id}",
            route_handlers=[manifest.router],
            middleware=[DefineMiddleware(SwitchedOn, app_id=manifest.id)],
            tags=[manifest.id],
            security=SECURITY,
        )
        for manifest in registry.apps.values()
        if manifest.router is not None
    ] + [router for manifest in registry.apps.values() for router in manifest.standard_routers]


def create_app(settings: Settings, miniapps: Iterable[Installed] | None = None) -> Litestar:
    """The API. A mini-app whose manifest breaks the contract raises ManifestError here."""
    registry = load_registry(miniapps)
    auth = AuthRuntime(settings)
    host = Host(settings, registry)
    enablement = Enablement(registry)
    launcher = Launcher(registry, enablement, BadgeBoard(registry))

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        engine = current_engine()
        await open_database(engine)
        await auth.start()
        await host.start(runs_jobs=not settings.redis_url)
        await enablement.start()
        try:
            yield
        finally:
            await enablement.stop()
            await host.stop()
            await auth.stop()
            await close_database(engine)

    signed_in = Router(
        path="/",
        middleware=[SignedIn],
        security=SECURITY,
        route_handlers=[
            get_me,
            get_person,
            StaffController,
            RevocationController,
            list_org_units,
            get_launcher,
            list_miniapps,
            switch_miniapp,
            *PUSH_ROUTES,
        ],
    )
    logging.basicConfig(level=settings.log_level.upper())
    app = Litestar(
        route_handlers=[
            healthz,
            readyz,
            jwks,
            AuthController,
            signed_in,
            *_miniapp_routers(registry),
        ],
        middleware=[RefuseNulInUrl, BearerTokenMiddleware],
        request_class=JsonRequest,
        request_max_body_size=settings.max_body_bytes,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=_openapi(),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        state=State(
            {
                "settings": settings,
                "auth": auth,
                "host": host,
                "enablement": enablement,
                "launcher": launcher,
            }
        ),
        debug=False,
    )
    _document_problems(app)
    return app


def _document_problems(app: Litestar) -> None:
    """Every operation answers bad input with a Problem; say so in the OpenAPI document (a
    handler's own entry for a status wins). Read when the document is first built."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                handler.responses = {**PROBLEM_RESPONSES, **(handler.responses or {})}
