"""create_app(settings) -> Litestar; nothing else."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.middleware import DefineMiddleware
from litestar.openapi.spec import Components, SecurityScheme, Server, Tag
from litestar.routes import HTTPRoute

import backend
from backend.api_docs import LocalSwagger, docs_router
from backend.badges import BadgeBoard
from backend.health import healthz, readyz
from backend.host import Host, load_registry
from backend.kernel.body_names import refuse_shadowed_body_fields
from backend.kernel.compression import Compressed
from backend.kernel.db import close_database, open_database, use_database
from backend.kernel.enablement.middleware import SwitchedOn
from backend.kernel.enablement.service import Enablement
from backend.kernel.entry import RequestEntry
from backend.kernel.errors import EXCEPTION_HANDLERS
from backend.kernel.guards import BEARER_TOKEN, SignedIn
from backend.kernel.logs import configure_logging
from backend.kernel.metrics import FLUSH_EVERY, flush_requests, leave_directory
from backend.kernel.observer import RequestObserver
from backend.kernel.problems import ProblemsDocumented, declare_problems
from backend.kernel.registry import Installed, Registry, installed_miniapps, piccolo_apps
from backend.kernel.requests import JsonRequest
from backend.kernel.services import Services, attach, dependencies, runtime_dependencies
from backend.kernel.settings import Settings
from backend.kernel.timers import cancel, every
from backend.launcher import Launcher
from backend.launcher_controllers import ADMIN_ROUTES, HOST_TILES, launcher_route
from backend.monitoring import metrics

# The tags of the composition root's own routes; parts and mini-apps describe theirs.
ROOT_TAGS = {
    "launcher": "The caller's launcher: sections and tiles by role, locale and elder mode; and "
    "switching mini-apps on and off, city-wide or per district.",
    "health": "Liveness and readiness, for an orchestrator; metrics, for Prometheus.",
}


def _tags(registry: Registry) -> list[Tag]:
    """One tag per part and mini-app (and per standard protocol a mini-app speaks), each
    with its description."""
    described = dict(ROOT_TAGS)
    for part in registry.host_parts:
        described.update(part.tags)
    for manifest in registry.apps.values():
        about = manifest.descriptions.get("en") or manifest.descriptions.get("zh-CN")
        named = f"{manifest.title('en')} ({manifest.title('zh-CN')}), a mini-app."
        described[manifest.id] = f"{named} {about.rstrip('.')}." if about else named
        described.update(manifest.tags)
    return [Tag(name=name, description=text) for name, text in described.items()]


def _openapi(registry: Registry) -> ProblemsDocumented:
    return ProblemsDocumented(
        title="Yimen",
        version=backend.__version__,
        description=(
            "One door for every service of a city: login, tiles, mini-apps, push.\n\n"
            "Every error is a problem (RFC 9457) sent as `application/problem+json`; its "
            "`code` is stable, and each operation lists the codes it can answer per status "
            "(also as `x-problem-codes`). Messages follow `Accept-Language` (zh-CN or en)."
        ),
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                "MetricsToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="YIMEN_METRICS_TOKEN, for a Prometheus scrape in prod",
                ),
                "OpenAppToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An open-platform app's access token, from its id and secret",
                ),
            }
        ),
        tags=_tags(registry),
        path="/schema",
        openapi_router=docs_router("/schema"),
        render_plugins=[LocalSwagger()],
    )


def _miniapp_routers(services: Services) -> list[Router]:
    """Each mini-app's router under /v1/miniapps/<id>/, reachable only where it is on, with
    its runtime for its routes alone."""
    apps = services.registry.apps.values()
    return (
        [
            Router(
                path=f"/v1/miniapps/{manifest.id}",
                route_handlers=[manifest.router],
                middleware=[DefineMiddleware(SwitchedOn, app_id=manifest.id)],
                tags=[manifest.id],
                security=BEARER_TOKEN,
                dependencies=runtime_dependencies(services, manifest.provides),
            )
            for manifest in apps
            if manifest.router is not None
        ]
        + [
            Router(
                path="/",
                route_handlers=manifest.standard_routers,
                dependencies=runtime_dependencies(services, manifest.provides),
            )
            for manifest in apps
            if manifest.standard_routers
        ]
        + [
            Router(
                path="/",
                route_handlers=manifest.personal_routers,
                middleware=[SignedIn],
                tags=[manifest.id],
                security=BEARER_TOKEN,
                dependencies=runtime_dependencies(services, manifest.provides),
            )
            for manifest in apps
            if manifest.personal_routers
        ]
    )


def _part_routers(services: Services) -> list[Router]:
    """Each host part's router at the paths it names, with its runtime for its routes."""
    return [
        Router(
            path="/",
            route_handlers=[part.router],
            dependencies=runtime_dependencies(services, part.provides),
        )
        for part in services.registry.host_parts
        if part.router is not None
    ]


def create_app(
    settings: Settings,
    miniapps: Iterable[Installed] | None = None,
    *,
    access_log: bool = False,
) -> Litestar:
    """The API on the database its settings name. A mini-app whose manifest breaks the
    contract raises ManifestError here. With `access_log` it logs a line per request (the
    served app does when the settings ask; an app built in-process by a test or a bench
    does not)."""
    installed = installed_miniapps() if miniapps is None else tuple(miniapps)
    registry = load_registry(installed)
    engine = use_database(settings, piccolo_apps(installed))
    services = Services(settings, registry, engine)
    services.enablement = Enablement(registry)
    launcher = Launcher(
        registry,
        services.enablement,
        BadgeBoard(registry),
        HOST_TILES,
        tile_sources=services.tile_sources,
    )
    host = Host(services)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await open_database(engine)
        await host.start(runs_jobs=not settings.redis_url)
        await services.enablement.start()
        counting = every(FLUSH_EVERY, flush_requests, "counting requests")
        try:
            yield
        finally:
            await cancel(counting)
            await services.enablement.stop()
            await host.stop()
            await close_database(engine)
            await flush_requests()
            leave_directory()

    configure_logging(settings.log_level, settings.logs_as, access_log=access_log)
    openapi = _openapi(registry)
    app = Litestar(
        route_handlers=[
            healthz,
            readyz,
            metrics,
            Router(
                path="/",
                middleware=[SignedIn],
                security=BEARER_TOKEN,
                route_handlers=[launcher_route(launcher), *ADMIN_ROUTES],
            ),
            *_part_routers(services),
            *_miniapp_routers(services),
        ],
        middleware=[
            DefineMiddleware(RequestEntry, services=services),
            *(m for part in registry.host_parts for m in part.middleware),
            Compressed,
        ],
        dependencies=dependencies(services),
        request_class=JsonRequest,
        request_max_body_size=settings.max_body_bytes,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=openapi,
        logging_config=None,  # the process's logging is configure_logging's, above
        debug=False,
    )
    refuse_shadowed_body_fields(app)
    # Outside the router and its exception handling, so that every request is seen.
    app.asgi_handler = RequestObserver(app.asgi_handler, access_log=access_log)
    attach(app.state, services)
    declare_problems(app, openapi)
    _describe_operations(app)
    return app


# The first sentence of a docstring: up to a full stop that ends a sentence.
_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.DOTALL)


def _describe_operations(app: Litestar) -> None:
    """Each operation's summary is its handler's first sentence, and its description the
    whole docstring; a handler's own `summary` or `description` wins."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                text = inspect.cleandoc(handler.fn.__doc__ or "")
                if not text:
                    continue
                if handler.summary is None:
                    first = text.split("\n\n")[0]
                    found = _FIRST_SENTENCE.match(first)
                    sentence = found.group(1) if found else first
                    handler.summary = " ".join(sentence.split()).rstrip(".")
                if handler.description is None:
                    handler.description = text
