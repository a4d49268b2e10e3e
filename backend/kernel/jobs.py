"""Jobs: arq on Redis when configured, else the same functions in this process.

A job function has arq's shape, `async def f(ctx, *args)`, with `ctx["services"]` the
process's Services.
Jobs are at-least-once in both modes; every job must be idempotent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, Protocol

from arq.connections import ArqRedis

from backend.kernel.contract import Cron

log = logging.getLogger(__name__)

JobFunction = Callable[..., Awaitable[Any]]

# In-process jobs run this many at once when no request is in flight: enough to drain a
# backlog on two cores, few enough to leave most of the pool's connections to requests.
RUNNERS = 3
# While requests are in flight, how long a runner beyond the first waits before it looks
# again: a pause, not a wake-up per request, so counting requests costs them nothing.
GIVE_WAY = 0.05
# Ready jobs of one function that a runner takes at once, when the function has a form that
# runs them together (`together`): the deliveries of a burst of events share a transaction.
MOST_TOGETHER = 32
# A job's time limit when none is declared, as arq's; a hung job would hold a runner.
TIMEOUT = 60.0


class JobQueue(Protocol):
    name: str  # what the queue is called in the metrics

    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer: float = 0
    ) -> bool:
        """Queue a job; False when a job with that id is already queued or running."""
        ...

    async def depth(self) -> int:
        """How many jobs wait: queued, or deferred until later; not those running."""
        ...

    async def close(self) -> None: ...


class ArqQueue:
    def __init__(self, pool: ArqRedis) -> None:
        self.pool = pool
        self.name = pool.default_queue_name

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

    async def depth(self) -> int:
        # arq keeps queued and deferred jobs in one sorted set, by when each is due.
        return int(await self.pool.zcard(self.name))

    async def close(self) -> None:
        await self.pool.aclose()


class RequestGauge:
    """How many requests this process is answering now: its entry counts them, and the
    in-process jobs give way while any are in flight."""

    __slots__ = ("in_flight",)

    def __init__(self) -> None:
        self.in_flight = 0


class _Queued(NamedTuple):
    job_id: str
    function: str
    args: tuple[Any, ...]


class InProcessQueue:
    """The embedded default: jobs run in this process, behind its requests, crons on a timer.

    A few runners take jobs in order from one queue, instead of a task per job: a burst of
    jobs would otherwise take the loop's turns and the pool's connections from the requests
    that caused them, and requests time out. While requests are in flight only the first
    runner works: the backlog always moves, if slowly under a load that fills the process,
    and the others join in whenever no request is in flight. Nothing is lost by waiting:
    an event stays in the outbox until delivered, and the sweeper hands it on again if its
    job never runs. Deferred jobs wait on a timer, outside the queue, until they are due.
    """

    name = "in_process"

    def __init__(
        self,
        functions: dict[str, JobFunction],
        ctx: dict[str, Any],
        *,
        requests: RequestGauge | None = None,
        timeouts: Mapping[str, float] | None = None,
        runners: int = RUNNERS,
        together: Mapping[str, str] | None = None,
    ) -> None:
        self._functions = functions
        # A job function whose ready jobs (each of one argument) a runner takes together,
        # and the function that runs them at once, given every job's argument.
        self._together = dict(together or {})
        self._ctx = ctx
        self._requests = requests or RequestGauge()
        self._timeouts = dict(timeouts or {})
        self._size = runners
        self._ready: collections.deque[_Queued] = collections.deque()
        self._ids: set[str] = set()  # queued, deferred or running: the same id is refused
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._work = asyncio.Event()  # set when a job joins the queue
        self._settled = asyncio.Event()  # set while nothing is queued or running
        self._settled.set()
        self._running = 0
        self._hurry = False  # draining: every runner works, whatever the requests
        self._closed = False
        self._runners: list[asyncio.Task[None]] = []
        self._crons: list[asyncio.Task[None]] = []
        self._counter = 0

    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer: float = 0
    ) -> bool:
        if function not in self._functions:
            raise LookupError(f"no job function {function!r}")
        if job_id is None:
            self._counter += 1
            job_id = f"local:{self._counter}"
        if job_id in self._ids:
            return False
        self._ids.add(job_id)
        job = _Queued(job_id, function, args)
        if defer > 0:
            loop = asyncio.get_running_loop()
            self._timers[job_id] = loop.call_later(defer, self._due, job)
        else:
            self._push(job)
        return True

    async def depth(self) -> int:
        return len(self._ready) + len(self._timers)

    def _due(self, job: _Queued) -> None:
        del self._timers[job.job_id]
        self._push(job)

    def _push(self, job: _Queued) -> None:
        self._ready.append(job)
        self._settled.clear()
        self._work.set()
        if not self._runners and not self._closed:
            # A fresh context: runners started from inside a request or a transaction
            # must not carry its context variables into every job they run.
            self._runners = [
                asyncio.create_task(self._runner(first=n == 0), context=contextvars.Context())
                for n in range(self._size)
            ]

    async def _runner(self, *, first: bool) -> None:
        # Also stops on close when a job swallowed the runner's cancellation.
        while not self._closed:
            if not self._ready:
                self._work.clear()  # no await between the look and the clear: no wake-up lost
                await self._work.wait()
            elif first or self._hurry or not self._requests.in_flight:
                await self._run(*self._taken())
            else:
                await asyncio.sleep(GIVE_WAY)

    def _taken(self) -> tuple[_Queued, list[str]]:
        """The next job, with the ready jobs of its function right behind it if they run
        together (then one job of the function that runs them all), and every id taken."""
        job = self._ready.popleft()
        many = self._together.get(job.function)
        if many is None or not self._ready or self._ready[0].function != job.function:
            return job, [job.job_id]
        taken = [job]
        while (
            self._ready and self._ready[0].function == job.function and len(taken) < MOST_TOGETHER
        ):
            taken.append(self._ready.popleft())
        args = tuple(one.args[0] for one in taken)
        return _Queued(job.job_id, many, args), [one.job_id for one in taken]

    async def _run(self, job: _Queued, ids: list[str]) -> None:
        self._running += 1
        try:
            async with asyncio.timeout(self._timeouts.get(job.function, TIMEOUT)):
                await self._functions[job.function](self._ctx, *job.args)
        except TimeoutError:
            log.error("job %s ran out of time", job.function)
        except asyncio.CancelledError:
            # A job may raise it without being cancelled (it awaited a future that another
            # task cancelled): that is the job's failure. Only the runner's own
            # cancellation, on close, ends the runner; else the queue would lose a runner
            # for good with every such job.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            log.error("job %s was cancelled from within", job.function)
        except Exception:  # a job's failure must not take the process down
            log.exception("job %s failed", job.function)
        finally:
            self._running -= 1
            self._ids.difference_update(ids)
            if not self._ready and not self._running:
                self._settled.set()

    def run_crons(self, crons: list[tuple[str, Cron]]) -> None:
        self._crons += [
            asyncio.create_task(self._cron_loop(name, cron), name=name) for name, cron in crons
        ]

    @property
    def timed_crons(self) -> list[str]:
        """The names of the crons this process runs on their timer."""
        return [task.get_name() for task in self._crons]

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
        """Wait for the jobs queued or running to finish, and for those they queue meanwhile
        (an event's delivery queues the sends of its notice), every runner working: a job
        cancelled inside its transaction could hold its locks on a pooled connection.
        Deferred jobs are dropped on close, since what they would do is kept durably (the
        outbox) and swept up again."""
        self._hurry = True
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._settled.wait(), grace)
        finally:
            self._hurry = False

    async def close(self) -> None:
        """Drain, then stop the runners, timers and crons: a job queued after this never
        runs, like a deferred one, and is swept up again the same way."""
        await self.drain()
        self._closed = True
        for timer in self._timers.values():
            timer.cancel()
        tasks = [*self._runners, *self._crons]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
