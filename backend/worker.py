"""`yimen worker`: the arq worker with every job and cron of the host and its mini-apps."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Worker, async_check_health

from backend.host import Host, arq_crons, arq_functions, load_registry
from backend.kernel.db import close_database, open_database, use_database
from backend.kernel.logs import configure_logging
from backend.kernel.metrics import leave_directory
from backend.kernel.registry import piccolo_apps
from backend.kernel.services import Services
from backend.kernel.settings import Settings

log = logging.getLogger(__name__)

# An orchestrator probing `yimen worker --check` notices a dead worker within a minute.
HEALTH_CHECK_INTERVAL = 15
# On SIGTERM, jobs under way get this long to finish; arq re-queues the rest.
SHUTDOWN_GRACE = 20
# How often an idle worker asks Redis for work: a dispatch push crosses two jobs.
POLL_DELAY = 0.02


def build_worker(settings: Settings, *, burst: bool = False) -> Worker:
    if not settings.redis_url:
        raise RuntimeError("the worker needs REDIS_URL; without it jobs run in the API process")
    configure_logging(settings.log_level, settings.logs_as)
    registry = load_registry()
    engine = use_database(settings, piccolo_apps())
    services = Services(settings, registry, engine)

    async def startup(ctx: dict[str, Any]) -> None:
        await open_database(engine)
        host = Host(services)
        await host.start(runs_jobs=True)
        ctx["host"] = host
        ctx["services"] = services
        log.info(
            "worker up: %s jobs, %s mini-apps", len(ctx.get("functions", [])), len(registry.apps)
        )

    async def shutdown(ctx: dict[str, Any]) -> None:
        host: Host | None = ctx.get("host")
        if host is not None:
            await host.stop()
        await close_database(engine)
        leave_directory()

    return Worker(
        functions=arq_functions(registry),
        cron_jobs=arq_crons(registry),
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=startup,
        on_shutdown=shutdown,
        burst=burst,
        max_jobs=50,
        keep_result=60,
        job_timeout=30,
        health_check_interval=HEALTH_CHECK_INTERVAL,
        job_completion_wait=SHUTDOWN_GRACE,
        poll_delay=POLL_DELAY,
    )


def worker_is_healthy(settings: Settings) -> bool:
    """A worker wrote its health key within the last HEALTH_CHECK_INTERVAL seconds."""
    redis = RedisSettings.from_dsn(settings.redis_url)
    return asyncio.run(async_check_health(redis, None, None)) == 0
