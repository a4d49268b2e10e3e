"""The limiters themselves: GCRA's burst and wait, several limits decided together, the
same answers from Redis, and what a process does while Redis is down."""

from __future__ import annotations

import logging
import uuid

import pytest
from redis.asyncio import Redis

from backend.kernel.codes import KernelCode
from backend.kernel.ratelimit import InProcessLimiter, Limit, Rate, RateLimiter, RedisLimiter
from tests.e2e.processes import RedisServer, redis_server
from tests.support import LimiterClock, redis_url_or_skip

__all__ = ["redis_server"]


def _limit(name: str, key: str, rate: str) -> Limit:
    return Limit(name, key, Rate.parse(rate), KernelCode.RATE_LIMITED)


async def _allowed(limiter: RateLimiter, limits: list[Limit], tries: int) -> int:
    return sum([await limiter.acquire(limits) is None for _ in range(tries)])


def test_rates_read_as_settings_write_them() -> None:
    assert Rate.parse("5/h") == Rate(5, 3600.0)
    assert Rate.parse("10/30s") == Rate(10, 30.0)
    assert Rate.parse("120/m").interval == 0.5


async def _a_burst_then_one_per_interval(limiter: RateLimiter, clock: LimiterClock) -> None:
    limit = _limit("test.burst", uuid.uuid4().hex, "5/m")
    assert await _allowed(limiter, [limit], 8) == 5
    refusal = await limiter.acquire([limit])
    assert refusal is not None
    assert refusal.limit == limit
    assert refusal.wait == pytest.approx(12, abs=0.01)
    clock.advance(12)
    assert await _allowed(limiter, [limit], 3) == 1


async def _refused_by_one_counted_by_none(limiter: RateLimiter, clock: LimiterClock) -> None:
    key = uuid.uuid4().hex
    tight, loose = _limit("test.tight", key, "1/h"), _limit("test.loose", key, "3/h")
    assert await _allowed(limiter, [tight, loose], 4) == 1
    # The loose limit was counted once, by the one request allowed: two are left.
    assert await _allowed(limiter, [loose], 4) == 2
    refusal = await limiter.acquire([tight, loose])
    assert refusal is not None
    assert refusal.limit == tight  # the longer wait of the two that refuse


async def test_in_process_burst() -> None:
    clock = LimiterClock()
    await _a_burst_then_one_per_interval(InProcessLimiter(clock), clock)


async def test_in_process_several_limits() -> None:
    clock = LimiterClock()
    await _refused_by_one_counted_by_none(InProcessLimiter(clock), clock)


async def test_redis_burst() -> None:
    clock = LimiterClock()
    limiter = RedisLimiter(redis_url_or_skip(), clock)
    try:
        await _a_burst_then_one_per_interval(limiter, clock)
    finally:
        await limiter.close()


async def test_redis_several_limits_and_a_refusal_writes_nothing() -> None:
    url = redis_url_or_skip()
    clock = LimiterClock()
    limiter = RedisLimiter(url, clock)
    try:
        await _refused_by_one_counted_by_none(limiter, clock)
        key = uuid.uuid4().hex
        limits = [_limit("test.kept", key, "1/h"), _limit("test.spare", key, "9/h")]
        assert await limiter.acquire(limits) is None
        redis = Redis.from_url(url)
        names = [f"yimen:rate:{limit.name}:{key}" for limit in limits]
        before = await redis.mget(names)
        assert await limiter.acquire(limits) is not None
        assert await redis.mget(names) == before
        assert 0 < await redis.pttl(names[0]) <= 3_600_000  # forgotten once recovered
        await redis.delete(*names)
        await redis.aclose()
    finally:
        await limiter.close()


async def test_redis_down_limits_each_process_alone(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither open nor shut: while Redis is down a process counts alone, and says so once."""
    clock = LimiterClock()
    limiter = RedisLimiter(redis_server.url, clock)
    limit = _limit("login.attempts_per_phone", "13912345678", "2/h")
    try:
        assert await _allowed(limiter, [limit], 3) == 2
        redis_server.stop()
        with caplog.at_level(logging.WARNING, "backend.kernel.ratelimit.limiters"):
            assert await _allowed(limiter, [limit], 5) == 2
        warned = [r for r in caplog.records if "Redis did not answer" in r.getMessage()]
        assert len(warned) == 1
    finally:
        await limiter.close()
