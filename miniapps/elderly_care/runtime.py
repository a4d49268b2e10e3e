"""What elderly care keeps in each process: the clock its alarms are timed by, and the
queue that rings each alarm's next person when their turn comes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from redis.exceptions import RedisError

from backend.sdk import Services, utc_now

log = logging.getLogger(__name__)

RING = "elderly_care.ring"


class CareRuntime:
    """A test sets `clock` to move an alarm's time by hand instead of waiting it out."""

    def __init__(self, services: Services, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.services = services
        self.clock = clock

    async def ring_at(
        self, alarm_id: int, step: int, at: dt.datetime, *, again: bool = False
    ) -> None:
        """Have the alarm's `step` rung when it is due. A lost job is no lost ring: the
        `ring_due` cron finds every due step in the database. A job that woke before its
        step was due queues it `again`, under an id of its own: its own is still taken."""
        now = self.clock()
        wait = max(0.0, (at - now).total_seconds())
        job_id = f"{RING}:{alarm_id}:{step}"
        if again:
            job_id += f":{int(now.timestamp() * 1000)}"
        try:
            await self.services.jobs.enqueue(RING, alarm_id, job_id=job_id, defer=wait)
        except (RedisError, OSError) as err:
            log.warning("ring %s of alarm %s left to the cron: %s", step, alarm_id, err)


async def start_care(services: Services) -> CareRuntime:
    return CareRuntime(services)
