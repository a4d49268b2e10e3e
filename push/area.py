"""Urgent notices to everyone in an org unit: topic sends first, then each person's share.

A district alert cannot wait for a million inbox rows: its fan-out writes only its topic
sends (one per language) and commits, and the sends go out at once. Then a job walks the
area's people a page at a time, each page in its own transaction: an inbox row per person,
and a delivery per phone addressed by installation id (FCM topics take registration tokens
only, so those phones are reached one by one). A watermark on the notification says how far
it got, so a rerun or the resume cron carries on where it stopped and writes nobody twice.

What a topic send cannot do: FCM gives the message to every phone in the topic, so it
cannot hold it back for one person's quiet hours or muted categories, nor skip a phone that
changed hands before the topic job told FCM. That is why only urgent notices (which pass
through quiet hours and opt-outs anyway) go by topic; an area notice that is not urgent is
resolved to its people and sent per device, each person's preferences applied. Notices to
named people or to role holders stay per device too: they are personal or few.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from backend.directory.people import people_within
from backend.kernel.audience import Audience
from backend.kernel.clock import utc_now
from backend.kernel.contract import JobContext
from backend.kernel.db import fetch_rows, json_value, transaction
from backend.kernel.events import on_commit
from push.fanout import CHUNK, write_deliveries, write_inbox
from push.schemas import AddressKind
from push.sending import PushRuntime
from push.tables import Notification
from push.topic_sending import write_topic_sends

REACH = "push.reach_area"
STALE = dt.timedelta(seconds=30)  # a walk not advanced for this long is restarted by the cron


async def fan_out_to_area(notification: dict[str, Any], area: str, push: PushRuntime) -> None:
    """In the fan-out's transaction: the topic sends, and the walk's starting point."""
    sends = await write_topic_sends(notification, area)
    await fetch_rows(_STARTED, notification["id"])

    async def after_commit() -> None:
        await push.send_soon(notification, pending=sends)
        await request_reach(push, notification["id"])

    on_commit(after_commit)


_TABLE = Notification._meta.tablename
_STARTED = f"UPDATE {_TABLE} SET area_done_to = 0 WHERE id = $1"  # noqa: S608
# Conditional on the watermark read, so two walkers of one notice never write one page twice.
_ADVANCE = (
    f"UPDATE {_TABLE} SET area_done_to = $1, recipients = recipients + $2, "  # noqa: S608
    "fanned_out_at = $3 WHERE id = $4 AND area_done_to = $5 RETURNING id"
)


async def request_reach(push: PushRuntime, notification_id: int) -> None:
    slot = int(utc_now().timestamp())
    await push.jobs.enqueue(REACH, notification_id, job_id=f"{REACH}:{notification_id}:{slot}")


async def reach_area(job: JobContext, notification_id: int) -> int:
    """The job: walk the area's people from the watermark on; returns how many it reached."""
    push = job.services.runtime(PushRuntime)
    reached, pending = 0, 0
    while True:
        async with transaction():
            page = await _next_page(notification_id)
            if page is None:
                break
            count, queued, more = page
        reached, pending = reached + count, pending + queued
        if not more:
            break
    if pending:
        await push.request_sending(notification_id)
    return reached


async def _next_page(notification_id: int) -> tuple[int, int, bool] | None:
    """One page: (people reached, deliveries pending, whether more may follow); None when
    the walk is done or another walker moved the watermark first."""
    notification = await Notification.select().where(Notification.id == notification_id).first()
    if notification is None or notification["area_done_to"] is None:
        return None
    if notification["fanned_out_at"] is not None:
        return None
    audience = msgspec.convert(json_value(notification["audience"]), Audience)
    assert audience.area is not None
    after = int(notification["area_done_to"])
    people = await people_within(audience.area, after=after, limit=CHUNK)
    more = len(people) == CHUNK
    done_to = people[-1].id if people else after
    moved = await fetch_rows(
        _ADVANCE, done_to, len(people), None if more else utc_now(), notification_id, after
    )
    if not moved:
        return None
    await write_inbox(notification, {p.id: p.locale for p in people})
    queued = await write_deliveries(
        notification, [p.id for p in people], kind=AddressKind.FID.value
    )
    return len(people), queued, more


async def resume_reaching(job: JobContext) -> int:
    """Cron: restart walks that stopped (a worker died mid-way); they carry on from their
    watermark."""
    rows = await fetch_rows(_STALLED, utc_now() - STALE)
    push = job.services.runtime(PushRuntime)
    for row in rows:
        await request_reach(push, int(row["id"]))
    return len(rows)


_STALLED = (
    f"SELECT id FROM {_TABLE} WHERE area_done_to IS NOT NULL "  # noqa: S608
    "AND fanned_out_at IS NULL AND created_at < $1 ORDER BY id LIMIT 100"
)
