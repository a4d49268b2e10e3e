"""Rate limits shared by every process of the city (Redis), or held in this one (the
embedded default): per user and per address, answered with 429 and `Retry-After`.

The middleware that holds a route to a quota is in `.middleware`, which needs the
process's services; this package itself stands below them."""

from backend.kernel.ratelimit.addresses import client_address, trusted_networks
from backend.kernel.ratelimit.limiters import (
    InProcessLimiter,
    RateLimiter,
    RedisLimiter,
    limiter_for,
)
from backend.kernel.ratelimit.quotas import Quota, rates_of
from backend.kernel.ratelimit.rates import Limit, Rate, Refusal
from backend.kernel.ratelimit.refusals import enforce

__all__ = [
    "InProcessLimiter",
    "Limit",
    "Quota",
    "Rate",
    "RateLimiter",
    "RedisLimiter",
    "Refusal",
    "client_address",
    "enforce",
    "limiter_for",
    "rates_of",
    "trusted_networks",
]
