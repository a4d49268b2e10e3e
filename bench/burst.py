"""A load of prepared requests on keep-alive sockets in which every request sent is answered
and counted, with the time each took: wrk stops at its time and leaves the requests then in
flight uncounted, which a bench that holds each answer against the rows it made cannot
have, and it sends no fixed number of requests.

The requests are bytes made beforehand, or by a generator as they are taken, so the load
costs a few microseconds a request, far below any route of the app. The load runs in the
bench's own process, on the core the server does not have (`pin_load`), as wrk does."""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")
_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")


class Answer(NamedTuple):
    status: int
    body: bytes
    seconds: float  # from the request written to its answer read


class Burst(NamedTuple):
    """Every answer of a load, in the order they came, and the seconds from the first
    request written to the last answer read."""

    answers: list[Answer]
    seconds: float

    def rate(self) -> float:
        return len(self.answers) / self.seconds if self.seconds else 0.0

    def statuses(self) -> Counter[int]:
        return Counter(answer.status for answer in self.answers)

    def percentile_ms(self, percent: float) -> float:
        """The time to an answer that `percent` of the answers took at most (nearest rank)."""
        times = sorted(answer.seconds for answer in self.answers)
        return 1000 * times[max(math.ceil(percent / 100 * len(times)) - 1, 0)]


def request(base: str, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """One HTTP/1.1 request as it goes on the wire."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {base.removeprefix('http://')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, request: bytes) -> Answer:
        started = time.perf_counter()
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = _LENGTH.search(head)
        if length is None:
            raise SystemExit(f"an answer without a Content-Length: {head!r}")
        body = await self.reader.readexactly(int(length.group(1)))
        return Answer(int(head.split(b" ", 2)[1]), body, time.perf_counter() - started)


async def send(
    base: str, requests: Iterable[bytes], *, connections: int, seconds: float | None = None
) -> Burst:
    """Send `requests` in turn, each on the first of `connections` keep-alive sockets
    (opened before the first is sent) to be free, until none is left or, given `seconds`,
    that long has passed: then nothing more is sent, and what is in flight is answered."""
    host, port = base.removeprefix("http://").split(":")
    opened = [
        _Connection(*await asyncio.open_connection(host, int(port))) for _ in range(connections)
    ]
    taken: Iterator[bytes] = iter(requests)
    answers: list[Answer] = []
    started = time.perf_counter()
    deadline = started + seconds if seconds is not None else math.inf

    async def keep_sending(connection: _Connection) -> None:
        # One iterator for every connection: each request is taken once, in order.
        for one in taken:
            answers.append(await connection.send(one))
            if time.perf_counter() >= deadline:
                return

    try:
        await asyncio.gather(*(keep_sending(connection) for connection in opened))
    finally:
        for connection in opened:
            connection.writer.close()
    return Burst(answers, time.perf_counter() - started)


def run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a load on uvloop, as the server runs, when it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work())
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(work())


def pin_load() -> None:
    """This process onto the core wrk would have (common.pinned): the server has the other."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {1})
