"""The host of one process: registry, job queue and event bus, for an API or a worker."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any, cast

from arq import func
from arq.cron import CronJob, cron
from arq.worker import Function, Retry

from backend.kernel.contract import Cron, HostPart, Job, JobContext, Manifest
from backend.kernel.events.delivery import deliver_event, deliver_events, sweep_outbox
from backend.kernel.events.outbox import DELIVER, DELIVER_TOGETHER, EventBus, bus_in_use
from backend.kernel.idempotency.store import forget_lapsed_keys
from backend.kernel.jobs import ArqQueue, InProcessQueue, JobFunction, JobQueue
from backend.kernel.metrics import count_job
from backend.kernel.partitions.care import care_for_partitions, table_keeps
from backend.kernel.registry import (
    Installed,
    Registry,
    build_registry,
    host_parts,
    installed_miniapps,
)
from backend.kernel.services import Services
from backend.kernel.settings import Settings

log = logging.getLogger(__name__)

SWEEP = "events.sweep"
KERNEL_JOB_TIMEOUT = 30  # delivering one event, sweeping the outbox
SWEEP_CRON = Cron(name=SWEEP, run=sweep_outbox, second=frozenset(range(0, 60, 10)))


async def _forget_lapsed_keys(services: Services) -> int:
    del services  # a kernel job is handed the services; this one needs only the database
    return await forget_lapsed_keys()


FORGET_KEYS = "idempotency.forget"
# Keys are kept 24 h: a quarter-hourly sweep keeps the table a day's requests long.
FORGET_KEYS_CRON = Cron(
    name=FORGET_KEYS,
    run=_forget_lapsed_keys,
    minute=frozenset(range(11, 60, 15)),
    second=frozenset({20}),
    timeout=300,
)
PARTITIONS = "partitions.care"
# Nightly, in the quiet hour; months are made `YIMEN_PARTITIONS_AHEAD` ahead, so a night
# missed or several changes nothing, and a run at any other hour does no harm either.
PARTITIONS_CRON = Cron(
    name=PARTITIONS,
    run=care_for_partitions,
    hour=frozenset({1}),
    minute=frozenset({40}),
    timeout=600,
)


class Host:
    """Starts and stops the parts of one app or worker, in order, around its job queue."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.registry = services.registry
        table_keeps(self.registry, services.settings)  # a keep for an unknown table stops here
        self._started: list[Manifest | HostPart] = []

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def jobs(self) -> JobQueue:
        return self.services.jobs

    async def start(self, *, runs_jobs: bool) -> None:
        """Connect the job queue (an API process on the embedded default also runs the
        jobs), then start each part and keep the runtime it returns."""
        settings = self.services.settings
        if settings.redis_url:
            jobs: JobQueue = ArqQueue.connect(settings.redis_url)
        else:
            queue = InProcessQueue(
                job_functions(self.registry),
                {"services": self.services},
                requests=self.services.requests,
                timeouts=job_timeouts(self.registry),
                together={DELIVER: DELIVER_TOGETHER},
            )
            if runs_jobs and settings.crons:
                queue.run_crons(all_crons(self.registry))
            jobs = queue
        self.services.jobs = jobs
        bus = self.services.bus = EventBus(registry=self.registry, jobs=jobs)
        with bus_in_use(bus):
            for part in self.registry.parts:
                if part.on_start is not None:
                    runtime = await part.on_start(self.services)
                    if runtime is not None:
                        self.services.add_runtime(runtime)
                self._started.append(part)

    async def stop(self) -> None:
        self.services.bus = None
        await self.services.close_limiter()
        if self.services.has_jobs:
            await self.services.jobs.close()
            self.services.jobs = None
        while self._started:
            part = self._started.pop()
            if part.on_stop is not None:
                await part.on_stop(self.services)


def load_registry(apps: Iterable[Installed] | None = None) -> Registry:
    return build_registry(
        installed_miniapps() if apps is None else apps, host_parts=list(host_parts())
    )


def _bind(name: str, job: Job | Cron) -> JobFunction:
    """A part's job gets a typed JobContext instead of arq's dict, and emits through its
    process's bus."""
    app_id = name.split(".", 1)[0]

    @functools.wraps(job.run)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        services: Services = ctx["services"]
        with bus_in_use(EventBus(registry=services.registry, jobs=services.jobs)):
            return await job.run(JobContext(app_id=app_id, services=services), *args, **kwargs)

    return run


def _kernel_job(function: JobFunction) -> JobFunction:
    @functools.wraps(function)
    async def run(ctx: dict[str, Any], *args: Any) -> Any:
        services: Services = ctx["services"]
        with bus_in_use(EventBus(registry=services.registry, jobs=services.jobs)):
            return await function(services, *args)

    return run


def _declared(registry: Registry) -> list[tuple[str, Job | Cron]]:
    return [*registry.jobs(), *registry.crons()]


def _counted(name: str, function: JobFunction) -> JobFunction:
    """Counts each run of a job by outcome, the same under arq and in-process."""

    @functools.wraps(function)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = await function(ctx, *args, **kwargs)
        except Retry:
            count_job(name, "retry")
            raise
        except BaseException:  # raised, ran out of time, or was cut off at shutdown
            count_job(name, "failed")
            raise
        count_job(name, "ok")
        return result

    return run


def job_functions(registry: Registry) -> dict[str, JobFunction]:
    functions: dict[str, JobFunction] = {
        DELIVER: _kernel_job(deliver_event),
        DELIVER_TOGETHER: _kernel_job(deliver_events),
        SWEEP: _kernel_job(sweep_outbox),
        PARTITIONS: _kernel_job(care_for_partitions),
        FORGET_KEYS: _kernel_job(_forget_lapsed_keys),
    }
    for name, job in _declared(registry):
        functions[name] = _bind(name, job)
    return {name: _counted(name, function) for name, function in functions.items()}


def job_timeouts(registry: Registry) -> dict[str, float]:
    """Each job's time limit, the same in a worker and in the API process: the one its part
    declares, else the kernel's own."""
    declared = {name: job.timeout for name, job in _declared(registry)}
    declared[PARTITIONS] = PARTITIONS_CRON.timeout
    declared[FORGET_KEYS] = FORGET_KEYS_CRON.timeout
    return {name: declared.get(name, KERNEL_JOB_TIMEOUT) for name in job_functions(registry)}


def all_crons(registry: Registry) -> list[tuple[str, Cron]]:
    return [
        (SWEEP, SWEEP_CRON),
        (PARTITIONS, PARTITIONS_CRON),
        (FORGET_KEYS, FORGET_KEYS_CRON),
        *registry.crons(),
    ]


def arq_functions(registry: Registry) -> list[Function]:
    timeouts = job_timeouts(registry)
    return [
        func(cast(Any, function), name=name, timeout=timeouts[name])
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
