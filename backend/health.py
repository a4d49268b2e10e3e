"""Liveness and readiness for an orchestrator."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.kernel.db import current_engine, database_reachable


class Health(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, str] = {}


@get("/healthz", operation_id="CheckLiveness", tags=["health"], security=[{}])
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@get("/readyz", operation_id="CheckReadiness", tags=["health"], security=[{}])
async def readyz(request: Request[Any, Any, Any]) -> Response[Health]:
    """The database and, when configured, Redis answer."""
    checks = {"database": "ok" if await database_reachable(current_engine()) else "down"}
    redis_url = request.app.state.settings.redis_url
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
