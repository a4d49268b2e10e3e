"""Where the counts live: in this process (the embedded default), or in Redis, shared by
every process of the city.

The algorithm is GCRA (the generic cell rate algorithm): each key keeps one number, the
theoretical arrival time of its next request, moved on by `period / count` per request
allowed; a request is refused while that time lies more than `period - period / count`
ahead. Against a sliding-window log it keeps one value per key instead of one per request
(a per-address limit of 600 a minute would be a sorted set of 600 entries), and against
fixed windows it allows no double burst at a window's edge. The wait it computes is the
exact `Retry-After`. Several limits on one request are decided together: a request
refused by one limit is counted by none, so a refusal changes nothing.
"""

from __future__ import annotations

import abc
import logging
import math
import time
from collections.abc import Callable, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.kernel.ratelimit.rates import Limit, Refusal

log = logging.getLogger(__name__)

Clock = Callable[[], float]
_PREFIX = "yimen:rate:"
# An in-process limiter past this many keys drops those whose limits have fully recovered.
_SWEEP_ABOVE = 100_000
# After Redis fails to answer, how long this process decides alone before asking it again:
# a Redis that is down then costs a request no time-out, and the log one line per outage.
_REDIS_RETRY = 5.0
_REDIS_TIMEOUT = 0.5

# KEYS: one per limit. ARGV: now (ms), then per key its interval and tolerance (ms).
# Returns {0, 0} when allowed (every key moved on), else {index of the refusing limit, ms
# to wait}, the longest wait of those that refuse, with no key touched.
_GCRA = """
local now = tonumber(ARGV[1])
local arrivals = {}
local refused, longest = 0, 0
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local tolerance = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  local wait = tat - now - tolerance
  if wait > longest then refused, longest = i, wait end
  arrivals[i] = tat + interval
end
if refused > 0 then return {refused, math.ceil(longest)} end
for i, key in ipairs(KEYS) do
  -- 17 digits give the double back exactly: rounded up, it would refuse what the limit allows
  redis.call('SET', key, string.format('%.17g', arrivals[i]), 'PX', math.ceil(arrivals[i] - now))
end
return {0, 0}
"""


def decide(
    limits: Sequence[Limit], arrivals: Sequence[float | None], now: float
) -> Refusal | list[float]:
    """GCRA over several limits at once: the longest refusal, or each key's next arrival."""
    moved: list[float] = []
    refusal: Refusal | None = None
    for limit, stored in zip(limits, arrivals, strict=True):
        arrival = now if stored is None or stored < now else stored
        wait = arrival - now - (limit.rate.period - limit.rate.interval)
        if wait > 0 and (refusal is None or wait > refusal.wait):
            refusal = Refusal(limit, wait)
        moved.append(arrival + limit.rate.interval)
    return refusal if refusal is not None else moved


class RateLimiter(abc.ABC):
    """Counts requests against limits; `acquire` counts one unless a limit refuses it."""

    @abc.abstractmethod
    async def acquire(self, limits: Sequence[Limit]) -> Refusal | None: ...

    async def close(self) -> None:
        return None


class InProcessLimiter(RateLimiter):
    """Limits held in this process's memory: for the embedded default, where one process
    serves, and as the stand-in while Redis is unreachable."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self._arrivals: dict[str, float] = {}

    async def acquire(self, limits: Sequence[Limit]) -> Refusal | None:
        return self.acquire_now(limits)

    def acquire_now(self, limits: Sequence[Limit]) -> Refusal | None:
        """`acquire` without a coroutine: nothing here waits."""
        now = self.clock()
        arrivals = self._arrivals
        keys = [f"{limit.name}:{limit.key}" for limit in limits]
        decided = decide(limits, [arrivals.get(key) for key in keys], now)
        if isinstance(decided, Refusal):
            return decided
        arrivals.update(zip(keys, decided, strict=True))
        if len(arrivals) > _SWEEP_ABOVE:
            self._arrivals = {key: at for key, at in arrivals.items() if at > now}
        return None


class RedisLimiter(RateLimiter):
    """Limits shared by every process through Redis, decided by one Lua script, so two
    processes counting the same key at once cannot both take its last request.

    When Redis does not answer, each process limits alone (its own in-process counts) and
    says so in the log, rather than letting every request through (the login limits are
    what keep an SMS bill and code guessing bounded) or refusing every one (nobody could
    log in, report or scan while Redis is down). A city of N API processes then allows at
    most N times each limit until Redis is back."""

    def __init__(self, redis_url: str, clock: Clock = time.time) -> None:
        self.clock = clock
        self._redis: Redis = Redis.from_url(
            redis_url, socket_timeout=_REDIS_TIMEOUT, socket_connect_timeout=_REDIS_TIMEOUT
        )
        self._script = self._redis.register_script(_GCRA)
        self._alone = InProcessLimiter(clock)
        self._alone_until = 0.0

    async def acquire(self, limits: Sequence[Limit]) -> Refusal | None:
        now = self.clock()
        if now >= self._alone_until:
            try:
                return await self._shared(limits, now)
            except (RedisError, OSError) as err:
                self._alone_until = now + _REDIS_RETRY
                log.warning(
                    "rate limits: Redis did not answer (%s); this process limits alone for %d s",
                    err,
                    _REDIS_RETRY,
                )
        return self._alone.acquire_now(limits)

    async def _shared(self, limits: Sequence[Limit], now: float) -> Refusal | None:
        keys = [f"{_PREFIX}{limit.name}:{limit.key}" for limit in limits]
        args: list[float] = [now * 1000]
        for limit in limits:
            interval = limit.rate.interval * 1000
            args += [interval, limit.rate.period * 1000 - interval]
        index, wait_ms = await self._script(keys=keys, args=args)
        if not index:
            return None
        return Refusal(limits[int(index) - 1], int(wait_ms) / 1000)

    async def close(self) -> None:
        await self._redis.aclose()


def limiter_for(redis_url: str, clock: Clock = time.time) -> RateLimiter:
    return RedisLimiter(redis_url, clock) if redis_url else InProcessLimiter(clock)


def retry_after(refusal: Refusal) -> int:
    """Whole seconds to wait, as `Retry-After` says them: rounded up, at least one."""
    return max(1, math.ceil(refusal.wait))
