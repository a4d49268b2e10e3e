"""Work repeated on a timer in the background of a process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


def every(seconds: float, work: Callable[[], Awaitable[Any]], what: str) -> asyncio.Task[None]:
    """Run `work` every `seconds` until cancelled; a lost database or Redis is logged and
    tried again at the next tick."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await work()
            except (OSError, ConnectionError) as err:
                log.warning("%s failed, will retry: %s", what, err)

    return asyncio.create_task(loop())


async def cancel(task: asyncio.Task[Any] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
