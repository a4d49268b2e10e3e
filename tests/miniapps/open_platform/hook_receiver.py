"""A third party's webhook endpoint on 127.0.0.1, reached as the relay Yimen POSTs webhooks
through (`YIMEN_OPEN_WEBHOOK_RELAY`): it records each request and answers from a script
(503, 410, …, then 200), and can hold its answers as a slow server would."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
import uvicorn

from tests.support import free_port


class Received(msgspec.Struct):
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


class HookReceiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/relay"
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.hold = 0.0  # seconds to wait before answering
        self.trickle = 0.0  # seconds between the bytes of an answer's body, if slow
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    def answer(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, then with 200."""
        self.answers = list(statuses)

    async def arrivals(self, count: int, seconds: float = 20) -> list[Received]:
        """The requests received, once there are at least `count` of them."""
        for _ in range(int(seconds / 0.02)):
            if len(self.received) >= count:
                return self.received
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(self.received)} webhooks arrived, not {count}")

    async def start(self) -> None:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn offers no event for this
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append(Received(headers=headers, body=body, at=time.time()))
        if self.hold:
            await asyncio.sleep(self.hold)
        status = self.answers.pop(0) if self.answers else 200
        with contextlib.suppress(OSError):
            await send({"type": "http.response.start", "status": status, "headers": []})
            for _ in range(20 if self.trickle else 0):  # an answer that never quite ends
                await send({"type": "http.response.body", "body": b".", "more_body": True})
                await asyncio.sleep(self.trickle)
            await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def receiver() -> AsyncIterator[HookReceiver]:
    standin = HookReceiver()
    await standin.start()
    yield standin
    await standin.stop()
