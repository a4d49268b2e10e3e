"""Jobs: arq on Redis when configured, else the same functions in this process.

A job function has arq's shape, `async def f(ctx, *args)`, with `ctx["host"]` the Host.
Jobs are at-least-once in both modes; every job must be idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from arq.connections import ArqRedis

from backend.kernel.contract import Cron

log = logging.getLogger(__name__)

JobFunction = Callable[..., Awaitable[Any]]


class JobQueue(Protocol):
    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer: float = 0
    ) -> bool:
        """Queue a job; False when a job with that id is already queued or running."""
        ...

    async def close(self) -> None: ...


class ArqQueue:
    def __init__(self, pool: ArqRedis) -> None:
        self.pool = pool

    @classmethod
    def connect(cls, redis_url: str) -> ArqQueue:
        """Connects on first use, so an API starts (and reports not ready) while Redis is down."""
        return cls(ArqRedis.from_url(redis_url))

    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer: float = 0
    ) -> bool:
        job = await self.pool.enqueue_job(
            function,
            *args,
            _job_id=job_id,
            _defer_by=dt.timedelta(seconds=defer) if defer else None,
        )
        return job is not None

    async def close(self) -> None:
        await self.pool.aclose()


class InProcessQueue:
    """The embedded default: jobs run as tasks of this process, crons on a timer."""

    def __init__(self, functions: dict[str, JobFunction], ctx: dict[str, Any]) -> None:
        self._functions = functions
        self._ctx = ctx
        self._running: dict[str, asyncio.Task[None]] = {}
        self._deferred: set[str] = set()
        self._counter = 0

    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer: float = 0
    ) -> bool:
        if function not in self._functions:
            raise LookupError(f"no job function {function!r}")
        if job_id is None:
            self._counter += 1
            job_id = f"local:{self._counter}"
        if job_id in self._running:
            return False
        task = asyncio.create_task(self._run(job_id, function, args, defer))
        self._running[job_id] = task
        if defer:
            self._deferred.add(job_id)
        task.add_done_callback(lambda _: self._running.pop(job_id, None))
        return True

    async def _run(self, job_id: str, function: str, args: tuple[Any, ...], defer: float) -> None:
        if defer:
            await asyncio.sleep(defer)
            self._deferred.discard(job_id)
        try:
            await self._functions[function](self._ctx, *args)
        except Exception:  # a job's failure must not take the process down
            log.exception("job %s failed", function)

    def run_crons(self, crons: list[tuple[str, Cron]]) -> None:
        for name, cron in crons:
            self._running[f"cron:{name}"] = asyncio.create_task(self._cron_loop(name, cron))

    async def _cron_loop(self, name: str, cron: Cron) -> None:
        last: dt.datetime | None = None
        while True:
            await asyncio.sleep(1.0 - dt.datetime.now().microsecond / 1_000_000)
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            due = (
                now.second in cron.second
                and (cron.minute is None or now.minute in cron.minute)
                and (cron.hour is None or now.hour in cron.hour)
            )
            if due and now != last:
                last = now
                await self.enqueue(name, job_id=f"{name}:{now.isoformat()}")

    async def drain(self, grace: float = 10.0) -> None:
        """Wait for the jobs under way to finish, and for those they start meanwhile (an
        event's delivery starts the sends of its notice): a job cancelled inside its
        transaction could hold its locks on a pooled connection. Jobs still waiting to
        start are dropped on close, since what they would do is kept durably (the outbox)
        and swept up again."""
        deadline = asyncio.get_running_loop().time() + grace
        while tasks := [
            task
            for key, task in self._running.items()
            if not key.startswith("cron:") and key not in self._deferred and not task.done()
        ]:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            await asyncio.wait(tasks, timeout=left)

    async def close(self) -> None:
        await self.drain()
        for task in list(self._running.values()):
            task.cancel()
        for task in list(self._running.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
