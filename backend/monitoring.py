"""`GET /metrics`: the Prometheus text of every process of this host, and the gauges read
from the database and Redis when scraped.

Open in dev. In prod a scrape sends `Authorization: Bearer <YIMEN_METRICS_TOKEN>`, compared
in constant time; a prod without that setting answers 404, as if there were no metrics to
read, rather than refuse to start: a Prometheus target that answers 404 shows as down, which
is what alerts, while an API that will not start for want of monitoring helps nobody.
"""

from __future__ import annotations

import hmac
import logging

from litestar import Request, Response, get
from litestar.di import NamedDependency
from redis.exceptions import RedisError

from backend.kernel.clock import utc_now
from backend.kernel.codes import KernelCode
from backend.kernel.errors import NotFound, Unauthorized
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.guards import OWN_BEARER
from backend.kernel.metrics import CONTENT_TYPE, Reading, exposition
from backend.kernel.problems import problems
from backend.kernel.ratelimit import Quota
from backend.kernel.ratelimit.middleware import rate_limited
from backend.kernel.services import Services
from backend.kernel.settings import Settings

log = logging.getLogger(__name__)

METRICS_TOKEN: list[dict[str, list[str]]] = [
    {"MetricsToken": []}
]  # how the OpenAPI document marks the scrape's token


def admit_scrape(authorization: str | None, settings: Settings) -> None:
    """Let the scrape through, or refuse it: 401 without the right token, 404 in a prod
    that has none set."""
    expected = settings.metrics_token
    if not expected:
        if settings.is_dev:
            return
        raise NotFound(KernelCode.NOT_FOUND)
    scheme, _, presented = (authorization or "").partition(" ")
    # Bytes, as compare_digest refuses a str outside ASCII, and a header may hold anything.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    ):
        raise Unauthorized(KernelCode.METRICS_TOKEN_INVALID)


async def outbox_readings() -> list[Reading]:
    """How many events wait for delivery, and how long the oldest has waited."""
    waiting = OutboxEvent.dispatched_at.is_null()
    backlog = await OutboxEvent.count().where(waiting)
    oldest = (
        await OutboxEvent.select(OutboxEvent.created_at)
        .where(waiting)
        .order_by(OutboxEvent.created_at)
        .first()
    )
    age = (utc_now() - oldest["created_at"]).total_seconds() if oldest else 0.0
    return [
        Reading("yimen_outbox_backlog", "Domain events written but not yet delivered.").add(
            backlog
        ),
        Reading(
            "yimen_outbox_oldest_age_seconds",
            "Age of the oldest undelivered domain event; 0 when none waits.",
        ).add(max(age, 0.0)),
    ]


async def queue_readings(services: Services) -> list[Reading]:
    """How many jobs wait in the queue: arq's in Redis, or this process's own on the
    embedded default. Redis down leaves the gauge out rather than fail the scrape."""
    jobs = services.jobs
    try:
        depth = await jobs.depth()
    except (RedisError, OSError) as err:
        log.warning("queue depth unread: %s", err)
        return []
    return [
        Reading(
            "yimen_job_queue_depth", "Jobs waiting in a queue, due or deferred.", ["queue"]
        ).add(depth, jobs.name)
    ]


@get(
    "/metrics",
    operation_id="ReadMetrics",
    tags=["health"],
    security=[{}, *METRICS_TOKEN],
    media_type=CONTENT_TYPE,
    opt={OWN_BEARER: True},
    # Public in dev, and a token to guess in prod: limited per address like every open route.
    middleware=[rate_limited(Quota.PUBLIC)],
    responses=problems({401: [KernelCode.METRICS_TOKEN_INVALID], 404: [KernelCode.NOT_FOUND]}),
)
async def metrics(request: Request, services: NamedDependency[Services]) -> Response[bytes]:
    """Prometheus metrics of this host's API and worker processes.

    In the Prometheus text format. Open in dev; in prod it needs `Authorization: Bearer`
    with the YIMEN_METRICS_TOKEN, and answers 404 where none is set."""
    admit_scrape(request.headers.get("authorization"), services.settings)
    readings = [*await outbox_readings(), *await queue_readings(services)]
    return Response(exposition(readings), media_type=CONTENT_TYPE)
