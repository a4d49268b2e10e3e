"""The one place a request is refused for its rate."""

from __future__ import annotations

from collections.abc import Sequence

from backend.kernel.errors import TooManyRequests
from backend.kernel.metrics import count_rate_limited
from backend.kernel.ratelimit.limiters import RateLimiter, retry_after
from backend.kernel.ratelimit.rates import Limit


async def enforce(limiter: RateLimiter, limits: Sequence[Limit]) -> None:
    """Count the request against every limit, or, if one refuses it, count it against
    none and answer 429 with `Retry-After` in whole seconds and the limit's code."""
    refusal = await limiter.acquire(limits)
    if refusal is None:
        return
    count_rate_limited(refusal.limit.name)
    wait = retry_after(refusal)
    raise TooManyRequests(refusal.limit.code, retry_after=wait, headers={"Retry-After": str(wait)})
