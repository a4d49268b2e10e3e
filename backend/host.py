"""The host of one process: registry, job queue and event bus, for an API or a worker."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any, cast

from arq import func
from arq.cron import CronJob, cron
from arq.worker import Function

from backend.kernel.contract import Cron, Job, JobContext
from backend.kernel.events.delivery import deliver_event, sweep_outbox
from backend.kernel.events.outbox import DELIVER, EventBus, install_bus
from backend.kernel.jobs import ArqQueue, InProcessQueue, JobFunction, JobQueue
from backend.kernel.registry import Installed, Registry, build_registry, installed_miniapps
from backend.kernel.settings import Settings

log = logging.getLogger(__name__)

SWEEP = "events.sweep"
SWEEP_CRON = Cron(name=SWEEP, run=sweep_outbox, second=frozenset(range(0, 60, 10)))


class Host:
    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings = settings
        self.registry = registry
        self._jobs: JobQueue | None = None

    @property
    def jobs(self) -> JobQueue:
        if self._jobs is None:
            raise RuntimeError("host not started")
        return self._jobs

    async def start(self, *, runs_jobs: bool) -> None:
        """Connect the job queue; an API process on the embedded default also runs the jobs."""
        if self.settings.redis_url:
            self._jobs = ArqQueue.connect(self.settings.redis_url)
        else:
            queue = InProcessQueue(job_functions(self.registry), {"host": self})
            if runs_jobs:
                queue.run_crons(all_crons(self.registry))
            self._jobs = queue
        install_bus(EventBus(registry=self.registry, jobs=self._jobs))
        for part in self.registry.parts:
            if part.on_start is not None:
                await part.on_start(self.settings)

    async def stop(self) -> None:
        install_bus(None)
        if self._jobs is not None:
            await self._jobs.close()
            self._jobs = None
        for part in self.registry.parts:
            if part.on_stop is not None:
                await part.on_stop()


def load_registry(apps: Iterable[Installed] | None = None) -> Registry:
    from auth.part import AUTH
    from push.part import PUSH

    return build_registry(
        installed_miniapps() if apps is None else apps,
        host_parts=[AUTH, PUSH],
    )


def _bind(name: str, job: Job | Cron) -> JobFunction:
    """A mini-app job gets a typed JobContext instead of arq's dict."""
    app_id = name.split(".", 1)[0]

    @functools.wraps(job.run)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        host: Host = ctx["host"]
        context = JobContext(app_id=app_id, settings=host.settings, jobs=host.jobs)
        return await job.run(context, *args, **kwargs)

    return run


def _declared(registry: Registry) -> list[tuple[str, Job | Cron]]:
    return [*registry.jobs(), *registry.crons()]


def job_functions(registry: Registry) -> dict[str, JobFunction]:
    functions: dict[str, JobFunction] = {DELIVER: deliver_event, SWEEP: sweep_outbox}
    for name, job in _declared(registry):
        functions[name] = _bind(name, job)
    return functions


def all_crons(registry: Registry) -> list[tuple[str, Cron]]:
    return [(SWEEP, SWEEP_CRON), *registry.crons()]


def arq_functions(registry: Registry) -> list[Function]:
    timeouts = {name: job.timeout for name, job in _declared(registry)}
    return [
        func(cast(Any, function), name=name, timeout=timeouts.get(name, 30))
        for name, function in job_functions(registry).items()
    ]


def arq_crons(registry: Registry) -> list[CronJob]:
    functions = job_functions(registry)
    return [
        cron(
            cast(Any, functions[name]),
            name=f"cron:{name}",
            second=set(c.second),
            hour=set(c.hour) if c.hour is not None else None,
            minute=set(c.minute) if c.minute is not None else None,
            unique=True,
            timeout=c.timeout,
            run_at_startup=False,
        )
        for name, c in all_crons(registry)
    ]
