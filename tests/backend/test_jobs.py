"""The embedded job queue: a few runners behind the requests, each job id once at a time."""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, cast

import msgspec
import pytest

from backend.kernel.contract import Cron
from backend.kernel.entry import RequestEntry
from backend.kernel.jobs import MOST_TOGETHER, InProcessQueue, JobFunction, RequestGauge
from backend.kernel.services import Services
from backend.kernel.settings import Settings
from tests.support import eventually


class Tally:
    """Job functions that record what ran, how many at once, and wait when told to."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.now = 0
        self.most = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def work(self, ctx: dict[str, Any], name: str, pause: float = 0.01) -> None:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await self.gate.wait()
            await asyncio.sleep(pause)
            self.done.append(name)
        finally:
            self.now -= 1

    async def work_then_queue(self, ctx: dict[str, Any], name: str) -> None:
        await self.work(ctx, name)
        await ctx["queue"].enqueue("work", f"{name}+", 0.05)

    def functions(self) -> dict[str, JobFunction]:
        return {"work": self.work, "work_then_queue": self.work_then_queue}


@pytest.fixture
async def tally() -> Tally:
    return Tally()


def queue_of(tally: Tally, gauge: RequestGauge | None = None, **options: Any) -> InProcessQueue:
    ctx: dict[str, Any] = {}
    queue = InProcessQueue(tally.functions(), ctx, requests=gauge, **options)
    ctx["queue"] = queue
    return queue


@pytest.fixture
async def closing() -> AsyncIterator[list[InProcessQueue]]:
    queues: list[InProcessQueue] = []
    yield queues
    for queue in queues:
        await queue.close()


async def test_no_more_jobs_run_at_once_than_runners(
    tally: Tally, closing: list[InProcessQueue]
) -> None:
    queue = queue_of(tally, runners=3)
    closing.append(queue)
    for n in range(20):
        assert await queue.enqueue("work", f"job{n}")
    await queue.drain()
    assert sorted(tally.done) == sorted(f"job{n}" for n in range(20))
    assert tally.most == 3


async def test_a_job_id_is_refused_while_queued_running_or_deferred(
    tally: Tally, closing: list[InProcessQueue]
) -> None:
    queue = queue_of(tally, runners=1)
    closing.append(queue)
    tally.gate.clear()
    assert await queue.enqueue("work", "first", job_id="a")
    assert await queue.enqueue("work", "second", job_id="b")

    async def a_started() -> bool:
        return tally.now == 1

    await eventually(a_started, what="the first job under way")
    assert not await queue.enqueue("work", "again", job_id="a")  # running
    assert not await queue.enqueue("work", "again", job_id="b")  # queued behind it
    assert await queue.enqueue("work", "later", job_id="c", defer=60)
    assert not await queue.enqueue("work", "again", job_id="c")  # waiting on its timer
    tally.gate.set()
    await queue.drain()
    assert tally.done == ["first", "second"]
    assert await queue.enqueue("work", "anew", job_id="a")  # finished: free again
    await queue.drain()
    assert tally.done[-1] == "anew"


async def test_a_backlog_drains_while_requests_never_stop(
    tally: Tally, closing: list[InProcessQueue]
) -> None:
    gauge = RequestGauge()
    gauge.in_flight = 5  # and it never falls to zero
    queue = queue_of(tally, gauge, runners=3)
    closing.append(queue)
    for n in range(10):
        await queue.enqueue("work", f"job{n}")

    async def drained() -> bool:
        return len(tally.done) == 10

    await eventually(drained, what="the backlog under load")
    assert tally.done == [f"job{n}" for n in range(10)]  # in order, one at a time
    assert tally.most == 1


async def test_jobs_give_way_to_requests_and_resume_with_every_runner(
    tally: Tally, closing: list[InProcessQueue]
) -> None:
    gauge = RequestGauge()
    gauge.in_flight = 1
    queue = queue_of(tally, gauge, runners=3)
    closing.append(queue)
    tally.gate.clear()
    for n in range(6):
        await queue.enqueue("work", f"job{n}")
    await asyncio.sleep(0.2)
    assert tally.now == 1  # the requests hold the other runners back
    gauge.in_flight = 0

    async def all_runners() -> bool:
        return tally.now == 3

    await eventually(all_runners, what="every runner at work once the requests are done")
    tally.gate.set()
    await queue.drain()
    assert len(tally.done) == 6


async def test_drain_waits_for_queued_and_running_jobs_and_those_they_queue(
    tally: Tally, closing: list[InProcessQueue]
) -> None:
    gauge = RequestGauge()
    gauge.in_flight = 1  # drain puts every runner to work regardless
    queue = queue_of(tally, gauge, runners=2)
    closing.append(queue)
    await queue.enqueue("work_then_queue", "a")
    for n in range(4):
        await queue.enqueue("work", f"queued{n}", 0.05)
    await queue.enqueue("work", "deferred", defer=60)
    await queue.drain(grace=10)
    assert sorted(tally.done) == ["a", "a+", *(f"queued{n}" for n in range(4))]
    assert tally.now == 0


async def test_drain_gives_up_after_its_grace_and_close_drains_first(tally: Tally) -> None:
    queue = queue_of(tally, runners=1)
    tally.gate.clear()
    await queue.enqueue("work", "stuck")
    await queue.enqueue("work", "behind")
    await queue.drain(grace=0.1)
    assert (tally.now, tally.done) == (1, [])
    tally.gate.set()
    await queue.close()
    assert tally.done == ["stuck", "behind"]


async def test_a_job_past_its_time_is_stopped_and_the_runner_goes_on(
    tally: Tally, closing: list[InProcessQueue]
) -> None:
    queue = queue_of(tally, runners=1, timeouts={"work": 0.2})
    closing.append(queue)
    await queue.enqueue("work", "hung", 30)
    await queue.enqueue("work", "next")

    async def went_on() -> bool:
        return tally.done == ["next"]

    await eventually(went_on, what="the job after the hung one")


_where = contextvars.ContextVar("where", default="nowhere")


async def test_a_job_does_not_run_in_its_enqueuers_context(closing: list[InProcessQueue]) -> None:
    """Jobs queued from inside a request or a transaction run on their own, not inside it."""
    seen: list[str] = []

    async def look(ctx: dict[str, Any]) -> None:
        seen.append(_where.get())

    queue = InProcessQueue({"look": look}, {})
    closing.append(queue)
    token = _where.set("inside a transaction")
    try:
        await queue.enqueue("look")
    finally:
        _where.reset(token)
    await queue.drain()
    assert seen == ["nowhere"]


async def test_the_entry_counts_requests_in_flight() -> None:
    services = cast(Services, SimpleNamespace(bus=None, requests=RequestGauge()))
    seen: list[int] = []
    both_in = asyncio.Barrier(2)

    async def answer(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/fails":
            seen.append(services.requests.in_flight)
            raise RuntimeError("the handler broke")
        await both_in.wait()
        seen.append(services.requests.in_flight)
        await both_in.wait()  # neither leaves before both have looked

    entry = RequestEntry(answer, services)

    async def nothing() -> Any:
        return {}

    async def ignore(message: Any) -> None:
        return None

    scope = {"type": "http", "path": "/", "query_string": b""}
    await asyncio.gather(*(entry(scope, nothing, ignore) for _ in range(2)))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await entry({**scope, "path": "/fails"}, nothing, ignore)  # type: ignore[arg-type]
    assert seen == [2, 2, 1]
    assert services.requests.in_flight == 0


async def test_a_job_that_raises_cancelled_error_does_not_stop_the_queue() -> None:
    done: list[str] = []

    async def cancelled(ctx: dict[str, Any]) -> None:
        # e.g. awaiting a future another task cancelled (a closed connection's waiter)
        raise asyncio.CancelledError

    async def work(ctx: dict[str, Any], name: str) -> None:
        done.append(name)

    queue = InProcessQueue({"cancelled": cancelled, "work": work}, {}, runners=1)
    try:
        await queue.enqueue("cancelled")
        await asyncio.sleep(0.05)
        await queue.enqueue("work", "after")

        async def ran() -> bool:
            return done == ["after"]

        await eventually(ran, 3.0, what="the job queued after it ran")
    finally:
        await queue.close()


async def test_ready_jobs_of_a_function_that_runs_them_together_are_taken_together(
    tally: Tally, closing: list[InProcessQueue]
) -> None:
    """The jobs right behind the one taken, of its function, go with it (at most
    MOST_TOGETHER), in order; a job of another function stops the run of them."""
    runs: list[tuple[str, ...]] = []

    async def many(ctx: dict[str, Any], *names: str) -> None:
        runs.append(names)

    async def alone(ctx: dict[str, Any], name: str) -> None:
        await tally.work(ctx, name)
        runs.append((name,))

    ctx: dict[str, Any] = {}
    functions: dict[str, JobFunction] = {"alone": alone, "many": many, "work": tally.work}
    queue = InProcessQueue(functions, ctx, runners=1, together={"alone": "many"})
    closing.append(queue)
    tally.gate.clear()
    await queue.enqueue("alone", "a", job_id="a")  # taken at once, by itself: it waits
    await eventually(lambda: _true(tally.now == 1), what="the first job running")
    names = [f"b{n}" for n in range(MOST_TOGETHER + 2)]
    for name in names:
        await queue.enqueue("alone", name, job_id=name)
    await queue.enqueue("work", "w")
    await queue.enqueue("alone", "c", job_id="c")
    tally.gate.set()
    await queue.drain()
    assert runs == [
        ("a",),
        tuple(names[:MOST_TOGETHER]),
        tuple(names[MOST_TOGETHER:]),
        ("c",),
    ]
    assert tally.done == ["a", "w", "c"]
    # Each id taken is free again once its run is done.
    assert await queue.enqueue("alone", "again", job_id="b0")
    await queue.drain()
    assert runs[-1] == ("again",)


async def _true(value: bool) -> bool:
    return value


async def test_a_cron_runs_on_its_timer_once_a_due_second(closing: list[InProcessQueue]) -> None:
    seconds: list[int] = []

    async def tick(ctx: dict[str, Any]) -> None:
        seconds.append(int(time.time()))

    queue = InProcessQueue({"tick": tick}, {})
    closing.append(queue)
    queue.run_crons([("tick", Cron(name="tick", run=tick, second=frozenset(range(60))))])
    assert queue.timed_crons == ["tick"]

    async def ticked_twice() -> bool:
        return len(seconds) >= 2

    await eventually(ticked_twice, 5.0, what="two ticks")
    assert len(set(seconds)) == len(seconds)


@pytest.mark.parametrize("crons", [True, False])
async def test_the_embedded_host_runs_the_crons_unless_told_not_to(
    settings: Settings, crons: bool
) -> None:
    from backend.host import Host, all_crons, load_registry
    from backend.kernel.db import current_engine

    registry = load_registry()
    services = Services(msgspec.structs.replace(settings, crons=crons), registry, current_engine())
    host = Host(services)
    await host.start(runs_jobs=True)
    try:
        queue = services.jobs
        assert isinstance(queue, InProcessQueue)
        expected = sorted(name for name, _ in all_crons(registry)) if crons else []
        assert sorted(queue.timed_crons) == expected
    finally:
        await host.stop()
