"""Legal services' sweeps as they run in production: each cron's job queued twice on Redis
and taken by two `yimen worker` processes at once, on PostgreSQL. A case past its time to
assign is escalated once, an invitation past its answer time lapses once, and the workers
deliver the notices to the inboxes."""

from __future__ import annotations

import asyncio
import datetime as dt

from backend.kernel.clock import utc_now
from backend.kernel.jobs import ArqQueue
from backend.kernel.vault import Vault
from miniapps.legal_aid.tables import AidCase, Mediation
from push.tables import InboxItem, Notification
from tests.e2e.processes import postgres_url_or_skip
from tests.miniapps.gov_services import given
from tests.support import redis_url_or_skip, yimen

JOBS = ("legal_aid.case_sweep", "legal_aid.mediation_sweep")
RESIDENT, ADMIN_GX = "13800000001", "13800000006"


async def _queue_twice(redis_url: str) -> None:
    queue = ArqQueue.connect(redis_url)
    try:
        stamp = utc_now().timestamp()
        for job in JOBS:
            for n in range(2):
                assert await queue.enqueue(job, job_id=f"{job}-test-{stamp}-{n}")
    finally:
        await queue.close()


async def _inbox_of(user_id: int) -> list[str]:
    made = await Notification.select(Notification.id, Notification.template)
    template = {n["id"]: n["template"] for n in made}
    rows = await InboxItem.select(InboxItem.notification_id).where(InboxItem.user_id == user_id)
    return sorted(template[r["notification_id"]] for r in rows)


async def test_two_workers_sweeping_at_once_escalate_and_lapse_once(
    demo: None, vault: Vault
) -> None:
    postgres_url_or_skip()
    redis_url = redis_url_or_skip()
    resident = await given.user_id(vault, RESIDENT)
    past = utc_now() - dt.timedelta(hours=1)
    await AidCase.insert(
        AidCase(
            application_id=8001,
            ref_no="FY00008001",
            applicant_id=resident,
            district="zz/gx",
            status="awaiting_lawyer",
            granted_at=past - dt.timedelta(days=5),
            assign_due_at=past,
        )
    )
    await Mediation.insert(
        Mediation(
            applicant_id=resident,
            other_phone_sealed=vault.seal("13900000400", purpose="legal_aid.other_party_phone"),
            other_phone_lookup=vault.lookup("13900000400", purpose="legal_aid.other_party_phone"),
            other_name="王五",
            community="zz/gx/fengyang/c03",
            district="zz/gx",
            category="property",
            summary="邻居装修噪音扰民,协商未果",
            status="invited",
            invited_by="sms",
            invite_outcome="sent",
            applied_at=past - dt.timedelta(days=8),
            answer_due_at=past,
        )
    )
    await _queue_twice(redis_url)

    env = {"REDIS_URL": redis_url}
    workers = await asyncio.gather(
        yimen("worker", "--burst", env=env), yimen("worker", "--burst", env=env)
    )
    assert [w.returncode for w in workers] == [0, 0], [w.stderr[-2000:] for w in workers]

    assert await AidCase.select(AidCase.escalated) == [{"escalated": 1}]
    assert await Mediation.select(Mediation.status) == [{"status": "lapsed"}]
    admin = await given.user_id(vault, ADMIN_GX)
    assert await _inbox_of(admin) == ["legal_aid.case_overdue"]
    assert await _inbox_of(resident) == ["legal_aid.mediation_lapsed"]
