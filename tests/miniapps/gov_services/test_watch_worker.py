"""The deadline watch as it runs in production: the cron's job queued twice on Redis and taken
by two `yimen worker` processes at once, on PostgreSQL. The case is told and escalated once,
and the workers deliver the notices to the officers' inboxes."""

from __future__ import annotations

import asyncio
import datetime as dt

from backend.kernel.clock import utc_now
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.jobs import ArqQueue
from backend.kernel.notices import NOTICE_REQUESTED
from backend.kernel.vault import Vault
from miniapps.gov_services.dates import city_date
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import DeadlineNotice, Escalation
from push.tables import InboxItem, Notification
from tests.e2e.processes import postgres_url_or_skip
from tests.miniapps.gov_services import given
from tests.support import redis_url_or_skip, yimen

JOB = "gov_services.watch_deadlines"


async def _queue_twice(redis_url: str) -> None:
    queue = ArqQueue.connect(redis_url)
    try:
        stamp = utc_now().timestamp()
        for n in range(2):
            assert await queue.enqueue(JOB, job_id=f"watch-deadlines-test-{stamp}-{n}")
    finally:
        await queue.close()


async def _inbox_of(user_id: int) -> list[str]:
    made = await Notification.select(Notification.id, Notification.template)
    template = {n["id"]: n["template"] for n in made}
    rows = await InboxItem.select(InboxItem.notification_id).where(InboxItem.user_id == user_id)
    return sorted(template[r["notification_id"]] for r in rows)


async def test_two_workers_running_the_watch_at_once_tell_and_escalate_once(
    demo: None, vault: Vault
) -> None:
    postgres_url_or_skip()
    redis_url = redis_url_or_skip()
    yesterday = city_date(utc_now()) - dt.timedelta(days=1)
    case = await given.application(status=Status.IN_PROGRESS, due_on=yesterday)
    await _queue_twice(redis_url)

    env = {"REDIS_URL": redis_url}
    workers = await asyncio.gather(
        yimen("worker", "--burst", env=env), yimen("worker", "--burst", env=env)
    )
    assert [w.returncode for w in workers] == [0, 0], [w.stderr[-2000:] for w in workers]

    assert await DeadlineNotice.count() == 1
    escalated = await Escalation.select(Escalation.application_id, Escalation.level)
    assert escalated == [{"application_id": case["id"], "level": given.GX}]
    notices = await OutboxEvent.select(OutboxEvent.dispatched_at).where(
        OutboxEvent.name == NOTICE_REQUESTED
    )
    assert len(notices) == 3
    assert all(n["dispatched_at"] is not None for n in notices)  # the workers delivered them
    officer = await given.user_id(vault, given.OFFICER_FENGYANG)
    assert await _inbox_of(officer) == ["gov_services.overdue"]
    approver = await given.user_id(vault, given.APPROVER_GX)
    assert await _inbox_of(approver) == ["gov_services.escalated"]
