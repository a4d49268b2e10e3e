"""Writes that wait together are committed together.

A route that writes a few rows per request spends its time on the round trips of its
transaction (begin, each statement, commit), not on the rows. Under load many such requests
wait at once. A `GroupCommit` writes every request that is waiting in one transaction, each
statement once for all their rows, and answers each request with its own result. A request
alone is written at once; under load, a request waits at most for the transaction ahead of
it. One request's failure is its own: a transaction that fails is written again one request
at a time, so only the request that cannot be written is refused.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from backend.kernel.events.outbox import current_bus, in_unit_of_work
from backend.kernel.logs import REQUEST_ID
from backend.kernel.metrics import count_group_commit

In = TypeVar("In")
Out = TypeVar("Out")
WriteAll = Callable[[Sequence[In]], Awaitable[Sequence[Out]]]
# More rows per transaction save little more, and hold the first request's answer longer.
MOST = 64


class _Waiting(Generic[In, Out]):
    __slots__ = ("entries", "writer")

    def __init__(self) -> None:
        self.entries: list[tuple[In, asyncio.Future[Out]]] = []
        self.writer: asyncio.Task[None] | None = None


class GroupCommit(Generic[In, Out]):
    """`await group.write(item)` is `(await write_all([item]))[0]`, with the items of
    requests waiting at the same time written by one call. `write_all` opens its own unit of
    work and returns one result per item, in order. `name` labels the group's metrics."""

    def __init__(self, name: str, write_all: WriteAll[In, Out], *, most: int = MOST) -> None:
        self.name = name  # in the metrics: yimen_group_commits_total{group}
        self._write_all = write_all
        self._most = most
        # By event loop and event bus: two apps in one process (as in the tests) never
        # write, or hand on, each other's items.
        self._waiting: dict[tuple[int, int], _Waiting[In, Out]] = {}

    async def write(self, item: In) -> Out:
        if in_unit_of_work():
            raise RuntimeError(
                "GroupCommit.write() commits on its own: call it outside a unit_of_work()"
            )
        loop = asyncio.get_running_loop()
        key = (id(loop), id(current_bus()))
        waiting = self._waiting.get(key)
        if waiting is None:
            waiting = self._waiting[key] = _Waiting()
        answer: asyncio.Future[Out] = loop.create_future()
        waiting.entries.append((item, answer))
        if waiting.writer is None:
            # The writer serves many requests: the logs of its work name none of them.
            context = contextvars.copy_context()
            context.run(REQUEST_ID.set, None)
            waiting.writer = loop.create_task(self._drain(key, waiting), context=context)
        return await answer

    async def _drain(self, key: tuple[int, int], waiting: _Waiting[In, Out]) -> None:
        try:
            while waiting.entries:
                batch = waiting.entries[: self._most]
                del waiting.entries[: self._most]
                # A request that has gone (its client left) before its turn is not written.
                batch = [(item, answer) for item, answer in batch if not answer.done()]
                if batch:
                    await self._commit(batch)
        finally:
            waiting.writer = None
            # Stopped (the process is shutting down): nobody is left waiting for ever.
            for _, answer in waiting.entries:
                answer.cancel()
            waiting.entries.clear()
            self._waiting.pop(key, None)

    async def _commit(self, batch: list[tuple[In, asyncio.Future[Out]]]) -> None:
        try:
            results = await self._write_all([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"wrote {len(batch)} items, answered {len(results)}")
        except Exception as error:
            count_group_commit(self.name, len(batch), ok=False)
            if len(batch) > 1:
                for entry in batch:
                    await self._commit([entry])
            elif not batch[0][1].done():
                batch[0][1].set_exception(error)
            return
        except BaseException:
            for _, answer in batch:
                answer.cancel()
            raise
        count_group_commit(self.name, len(batch), ok=True)
        for (_, answer), result in zip(batch, results, strict=True):
            if not answer.done():  # else its request has gone
                answer.set_result(result)


__all__ = ["GroupCommit"]
