"""Routes limited by their quota: `middleware=[rate_limited(Quota.SCANS)]` on a handler or
a router. A middleware rather than a guard: Litestar copies the route handler for every
guard it runs, and scans are the hottest route there is."""

from __future__ import annotations

from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.kernel.claims import Claims
from backend.kernel.codes import KernelCode
from backend.kernel.problems import answers
from backend.kernel.ratelimit.addresses import Network, client_address, trusted_networks
from backend.kernel.ratelimit.quotas import Quota, Rates, limits_for, rates_of
from backend.kernel.ratelimit.rates import Limit, Rate
from backend.kernel.ratelimit.refusals import enforce
from backend.kernel.requests import AnyRequest
from backend.kernel.services import Services, services_of
from backend.kernel.settings import Settings


@answers({429: [KernelCode.RATE_LIMITED]})
class RateLimited:
    """Counts each request against its quota per address, and per user when signed in
    (run after the bearer token is read, so the user is known)."""

    def __init__(self, app: ASGIApp, quota: Quota) -> None:
        self.app = app
        self.quota = quota
        self._services: Services | None = None
        self._rates: Rates | None = None
        self._proxies: tuple[Network, ...] = ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = services_of(scope["litestar_app"])
        if services is not self._services:
            # Read once per app rather than parsed on every request.
            self._rates = rates_of(services.settings, self.quota)
            self._proxies = trusted_networks(services.settings.trusted_proxies)
            self._services = services
        assert self._rates is not None
        claims = scope.get("user")
        limits = limits_for(
            self.quota,
            self._rates,
            user=claims.sub if isinstance(claims, Claims) else None,
            address=client_address(scope, self._proxies),
        )
        await enforce(services.limiter, limits)
        await self.app(scope, receive, send)


async def count_against(request: AnyRequest, *counts: tuple[Quota, str]) -> None:
    """Count the request against each quota's per-caller limit, for a caller the route
    itself identifies (an app by its open-API token), as the middleware counts a signed-in
    user: all of them or, once the caller is over one, none, and a 429 with `Retry-After`;
    counted in every process alike."""
    services = services_of(request.app)
    limits = []
    for quota, caller in counts:
        name, rate = _caller_limit(services.settings, quota)
        limits.append(Limit(name, caller, rate, KernelCode.RATE_LIMITED))
    await enforce(services.limiter, limits)


def _caller_limit(settings: Settings, quota: Quota) -> tuple[str, Rate]:
    key = (id(settings), quota)
    limit = _CALLER_LIMITS.get(key)
    if limit is None:
        per_caller = rates_of(settings, quota).per_user
        if per_caller is None:
            raise ValueError(f"quota {quota} has no per-caller limit")
        limit = _CALLER_LIMITS[key] = (f"{quota.value}.per_caller", per_caller)
    return limit


# Parsed once per settings object: a quota's rate by (settings, quota).
_CALLER_LIMITS: dict[tuple[int, Quota], tuple[str, Rate]] = {}


def rate_limited(quota: Quota) -> DefineMiddleware:
    """The middleware that holds a route (or a router's routes) to `quota`."""
    return DefineMiddleware(RateLimited, quota=quota)
