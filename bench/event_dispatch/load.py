"""The load: reports on a fixed schedule over plain keep-alive sockets, and the pushes they
caused as the FCM stand-in saw them arrive."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from typing import NamedTuple

CONNECTIONS = 64


class Connection:
    """One keep-alive HTTP/1.1 connection that sends prepared requests: a load this light
    keeps its own delays out of the figures (httpx costs milliseconds a request)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def post(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        return status, await self.reader.readexactly(length)


class Sent(NamedTuple):
    """What a load did: when each counted report's 201 arrived (by event id), how many were
    created in all (the warm-up's too) and refused, and how long they took to be answered."""

    answered_at: dict[int, float]
    created: int
    refused: int
    seconds: float


def report_request(base: str, token: str) -> bytes:
    host = base.removeprefix("http://")
    body = json.dumps({"category": "elderly_alert", "description": "独居老人求助"}).encode()
    return (
        f"POST /v1/miniapps/grid_events/events HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def load(
    base: str,
    token: str,
    *,
    rate: int,
    seconds: int,
    warmup: int,
    tick: Callable[[], None] = lambda: None,
) -> Sent:
    """Reports at `rate` per second on a fixed schedule, each on a free connection, the first
    `warmup` seconds' worth not counted (connections and caches filling). `tick` is called
    at the start of the counted part and after each further second of it."""
    host, port = base.removeprefix("http://").split(":")
    request = report_request(base, token)
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        idle.put_nowait(Connection(*await asyncio.open_connection(host, int(port))))
    answered: dict[int, float] = {}
    created = refused = 0

    async def one(counted: bool) -> None:
        nonlocal created, refused
        connection = await idle.get()
        try:
            status, answer = await connection.post(request)
        finally:
            idle.put_nowait(connection)
        if status != 201:
            refused += 1
            return
        created += 1
        if counted:
            answered[int(json.loads(answer)["id"])] = time.time()

    tasks = []
    start = time.perf_counter()
    total = rate * (warmup + seconds)
    for n in range(total):
        if n >= rate * warmup and (n - rate * warmup) % rate == 0:
            tick()
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n >= rate * warmup)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not idle.empty():
        idle.get_nowait().writer.close()
    return Sent(answered, created, refused, elapsed)


async def arrivals(fcm: str, expected: int, *, wait: float) -> dict[int, float]:
    """When each event's push reached the stand-in (by event id), once `expected` pushes have
    arrived in all or `wait` seconds have passed."""
    import httpx

    deadline = time.monotonic() + wait
    async with httpx.AsyncClient() as http:
        while True:
            rows = (await http.get(f"{fcm}/_arrivals")).json()
            if len(rows) >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
    return {int(link.rsplit("/", 1)[1]): at for link, at in rows if link}
