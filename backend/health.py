"""Liveness and readiness for an orchestrator."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.kernel.db import database_reachable
from backend.kernel.ratelimit import Quota
from backend.kernel.ratelimit.middleware import rate_limited
from backend.kernel.services import Services


class Health(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, str] = {}


# Probes count against the public per-address limit like any caller: size it above what
# the orchestrator's probes send from one address.
PROBE = rate_limited(Quota.PUBLIC)


@get(
    "/healthz",
    operation_id="CheckLiveness",
    tags=["health"],
    security=[{}],
    middleware=[PROBE],
)
async def healthz() -> Health:
    """The process is up.

    It answers without touching the database: for a liveness probe."""
    return Health(status="ok")


@get(
    "/readyz",
    operation_id="CheckReadiness",
    tags=["health"],
    security=[{}],
    middleware=[PROBE],
)
async def readyz(services: NamedDependency[Services]) -> Response[Health]:
    """The process can serve: the database and, when configured, Redis answer.

    503 otherwise, with the state of each check; for a readiness probe."""
    checks = {"database": "ok" if await database_reachable(services.engine) else "down"}
    redis_url = services.settings.redis_url
    if redis_url:
        checks["redis"] = "ok" if await _redis_reachable(redis_url) else "down"
    ready = all(v == "ok" for v in checks.values())
    return Response(
        Health(status="ok" if ready else "unavailable", checks=checks),
        status_code=200 if ready else 503,
    )


async def _redis_reachable(url: str) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(await client.ping())
    except (RedisError, OSError):
        return False
    finally:
        await client.aclose()
