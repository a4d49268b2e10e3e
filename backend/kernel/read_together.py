"""Reads of one row by its key that wait together are asked together.

The hottest routes read one row by id first (the caller's account, say): a round trip of
its own for each request. Under load many requests ask at once, often for the same row. A
`ReadTogether` reads every key asked while a read is under way with one statement, once
per key, and hands each caller its row. A read that fails is asked again key by key, so
that each caller is given its own failure. A read alone is asked at once; under load a read
waits at most for the one ahead of it.

Inside a transaction a read is the transaction's own: it is asked at once, on the
transaction's connection, so it sees what the transaction wrote, and no other request's
read is carried into it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Generator, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from backend.kernel.db import in_transaction
from backend.kernel.events.outbox import current_bus, in_unit_of_work
from backend.kernel.logs import REQUEST_ID

Key = TypeVar("Key", bound=Hashable)
Row = TypeVar("Row")
ReadAll = Callable[[Iterable[Key]], Awaitable[Mapping[Key, Row]]]
# One statement with more keys saves little more, and its answer is larger to wait for.
MOST = 256


class _Asked(Generic[Key, Row]):
    __slots__ = ("keys", "reader")

    def __init__(self) -> None:
        self.keys: dict[Key, list[asyncio.Future[Row | None]]] = {}
        self.reader: asyncio.Task[None] | None = None


class _ReadWhenAwaited(Generic[Key, Row]):
    """A transaction's own read, made when awaited: one left unawaited (its caller failed
    first) was never started, and leaves no coroutine behind to warn of."""

    __slots__ = ("_key", "_read")

    def __init__(self, read: Callable[[Key], Awaitable[Row | None]], key: Key) -> None:
        self._read = read
        self._key = key

    def __await__(self) -> Generator[Any, None, Row | None]:
        return (yield from self._read(self._key).__await__())


class ReadTogether(Generic[Key, Row]):
    """`await reads.one(key)` is `(await read_all([key])).get(key)`, with the keys asked
    at the same time read by one call. `read_all` returns the rows found, by key; a key
    it leaves out has no row (None)."""

    def __init__(self, read_all: ReadAll[Key, Row], *, most: int = MOST) -> None:
        self._read_all = read_all
        self._most = most
        # By event loop and event bus, as GroupCommit: two apps in one process (as in the
        # tests) each read their own database.
        self._asked: dict[tuple[int, int], _Asked[Key, Row]] = {}

    async def one(self, key: Key) -> Row | None:
        return await self.ask(key)

    def ask(self, key: Key) -> Awaitable[Row | None]:
        """`one(key)`, asked now and awaited later: reads asked this way before any is
        awaited go side by side, with no task each (`side_by_side` makes one per read)."""
        if in_unit_of_work() or in_transaction():
            return _ReadWhenAwaited(self._now, key)
        return self._asked_for(key)

    async def many(self, keys: Iterable[Key]) -> dict[Key, Row]:
        """The rows of `keys` that exist, by key: `one` of each, asked at once."""
        wanted = list(dict.fromkeys(keys))
        if in_unit_of_work() or in_transaction():
            return dict(await self._read_all(wanted))
        answers = [self._asked_for(key) for key in wanted]
        found = {}
        for key, answer in zip(wanted, answers, strict=True):
            row = await answer
            if row is not None:
                found[key] = row
        return found

    async def _now(self, key: Key) -> Row | None:
        return (await self._read_all([key])).get(key)

    def _asked_for(self, key: Key) -> asyncio.Future[Row | None]:
        loop = asyncio.get_running_loop()
        where = (id(loop), id(current_bus()))
        asked = self._asked.get(where)
        if asked is None:
            asked = self._asked[where] = _Asked()
        answer: asyncio.Future[Row | None] = loop.create_future()
        asked.keys.setdefault(key, []).append(answer)
        if asked.reader is None:
            # The reader serves many requests: the logs of its work name none of them.
            context = contextvars.copy_context()
            context.run(REQUEST_ID.set, None)
            asked.reader = loop.create_task(self._drain(where, asked), context=context)
        return answer

    async def _drain(self, where: tuple[int, int], asked: _Asked[Key, Row]) -> None:
        try:
            while asked.keys:
                batch = dict(list(asked.keys.items())[: self._most])
                for key in batch:
                    del asked.keys[key]
                await self._read(batch)
        finally:
            asked.reader = None
            # Stopped (the process is shutting down): nobody is left waiting for ever.
            for answers in asked.keys.values():
                for answer in answers:
                    answer.cancel()
            asked.keys.clear()
            self._asked.pop(where, None)

    async def _read(self, batch: dict[Key, list[asyncio.Future[Row | None]]]) -> None:
        # Keys whose callers have all gone (their clients left) are not asked for.
        wanted = [key for key, answers in batch.items() if not all(a.done() for a in answers)]
        if not wanted:
            return
        try:
            rows = await self._read_all(wanted)
        except Exception as error:
            if len(wanted) == 1:
                for answer in batch[wanted[0]]:
                    if not answer.done():
                        answer.set_exception(error)
                return
            # Each key alone then: a caller's failure is its own, with its own traceback.
            for key in wanted:
                await self._read({key: batch[key]})
            return
        except BaseException:
            for answers in batch.values():
                for answer in answers:
                    answer.cancel()
            raise
        for key, answers in batch.items():
            row = rows.get(key)
            for answer in answers:
                if not answer.done():  # else its request has gone
                    answer.set_result(row)


async def side_by_side(*reads: Awaitable[Any]) -> list[Any]:
    """The answers of `reads`, in their order: asked at the same time, so that each joins
    the reads of the requests beside it. Inside a transaction they are asked one after the
    other: they share its one connection, which runs one statement at a time."""
    if in_unit_of_work() or in_transaction():
        return [await read for read in reads]
    return list(await asyncio.gather(*reads))


__all__ = ["ReadTogether", "side_by_side"]
