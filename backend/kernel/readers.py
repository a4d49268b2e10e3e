"""Connections lent to one statement at a time, for `fetch_rows` outside a transaction.

asyncpg's pool costs about 60 µs of CPU to acquire and release a connection (a task for
the shielded release, timeouts, a reset hook), as much as half the statement it serves on
the hottest reads. A statement outside a transaction needs none of that: it leaves no state
on its connection, so the connection goes straight back to the next caller. One that fails
in any way (an error, a cancellation mid-statement) is closed rather than lent again, so no
connection with a statement in flight is ever handed on."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg


class Lender:
    """Up to `size` connections of its own, opened when first needed; a caller finding all
    of them busy waits its turn, first come first served."""

    def __init__(self, connect: Mapping[str, Any], size: int) -> None:
        self._connect = dict(connect)
        self._size = size
        self._opened = 0
        self._idle: list[asyncpg.Connection] = []
        # A waiter is given a connection, or None: a slot freed by a closed one, to open.
        self._waiters: collections.deque[asyncio.Future[asyncpg.Connection | None]] = (
            collections.deque()
        )
        self._closed = False

    async def fetch(self, sql: str, args: Sequence[Any]) -> Sequence[Mapping[str, Any]]:
        connection = self._idle.pop() if self._idle else await self._borrow()
        try:
            rows: Sequence[Mapping[str, Any]] = await connection.fetch(sql, *args)
        except BaseException:
            self._discard(connection)
            raise
        self._give_back(connection)
        return rows

    async def _borrow(self) -> asyncpg.Connection:
        if self._closed:
            raise RuntimeError("the database is closed")
        if self._opened >= self._size:
            waiter: asyncio.Future[asyncpg.Connection | None] = (
                asyncio.get_running_loop().create_future()
            )
            self._waiters.append(waiter)
            try:
                lent = await waiter
            except asyncio.CancelledError:
                self._pass_on(waiter)
                raise
            if lent is not None:
                return lent
            if self._closed:
                raise RuntimeError("the database is closed")
        else:
            self._opened += 1
        try:
            connection: asyncpg.Connection = await asyncpg.connect(**self._connect)
        except BaseException:
            self._opened -= 1
            self._wake(None)
            raise
        return connection

    def _pass_on(self, waiter: asyncio.Future[asyncpg.Connection | None]) -> None:
        """A waiter cancelled after it was given something hands it to the next."""
        if waiter.done() and not waiter.cancelled():
            lent = waiter.result()
            if lent is None:
                self._wake(None)
            else:
                self._give_back(lent)

    def _give_back(self, connection: asyncpg.Connection) -> None:
        if self._closed:
            self._discard(connection)
        elif not self._wake(connection):
            self._idle.append(connection)

    def _discard(self, connection: asyncpg.Connection) -> None:
        connection.terminate()
        self._opened -= 1
        self._wake(None)

    def _wake(self, lent: asyncpg.Connection | None) -> bool:
        """Hand `lent` (or a free slot) to the first waiter still waiting; False if none."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(lent)
                return True
        return False

    async def close(self) -> None:
        """Close the idle connections; those lent out are closed when they come back."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(RuntimeError("the database is closed"))
        idle, self._idle = self._idle, []
        for connection in idle:
            self._opened -= 1
            await connection.close()
