"""Badge counts for launcher tiles, each read from its source at most once per TTL per user.

A launcher is opened far more often than a badge changes, and a count is a database
read; so each process keeps a count for a few seconds. Another process never needs it:
it is a cache, and a stale count is at worst `ttl` seconds old.
"""

from __future__ import annotations

import asyncio
import time

from backend.kernel.caches import BoundedCache
from backend.kernel.claims import Claims
from backend.kernel.registry import Registry

DEFAULT_TTL = 10.0


class BadgeBoard:
    def __init__(self, registry: Registry, ttl: float = DEFAULT_TTL, size: int = 100_000) -> None:
        self._registry = registry
        self._ttl = ttl
        # First in, first out: a count is stale `ttl` after it is read, and a hit does not renew it.
        self._counts: BoundedCache[tuple[str, str], tuple[float, int]] = BoundedCache(
            size, lru=False
        )

    async def counts(self, claims: Claims, sources: list[str]) -> list[int]:
        now = time.monotonic()
        found: list[int | None] = []
        for source in sources:
            cached = self._counts.get((claims.sub, source))
            found.append(cached[1] if cached and cached[0] > now else None)
        missing = [i for i, count in enumerate(found) if count is None]
        if missing:
            fresh = await asyncio.gather(
                *(self._registry.badges[sources[i]](claims) for i in missing)
            )
            for i, count in zip(missing, fresh, strict=True):
                found[i] = count
                self._remember(claims.sub, sources[i], count, now)
        return [count or 0 for count in found]

    def _remember(self, sub: str, source: str, count: int, now: float) -> None:
        self._counts.put((sub, source), (now + self._ttl, count))
