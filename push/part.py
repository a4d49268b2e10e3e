"""Push as a part of the host: its event, handler, jobs, crons and badge."""

from __future__ import annotations

from backend.kernel.contract import Cron, HostPart, Job, JobContext, Subscription
from push.devices import prune_stale_devices
from push.fanout import fan_out
from push.inbox import unread_badge
from push.sending import close_sender, resume_sending, send_notification, start_sending
from push.service import NOTIFICATION_REQUESTED, NotificationRequested
from push.topics import sync_topics


async def prune_devices(job: JobContext) -> int:
    return await prune_stale_devices()


PUSH = HostPart(
    name="push",
    emits={NOTIFICATION_REQUESTED: NotificationRequested},
    subscribes=[Subscription(NOTIFICATION_REQUESTED, fan_out, "push.fan_out")],
    jobs=[Job("send", send_notification, timeout=120), Job("sync_topics", sync_topics)],
    crons=[
        Cron(name="resume", run=resume_sending, second=frozenset(range(5, 60, 10))),
        Cron(name="resync_topics", run=sync_topics, second=frozenset({35})),
        Cron(
            name="prune_devices",
            run=prune_devices,
            hour=frozenset({3}),
            minute=frozenset({17}),
            second=frozenset({0}),
        ),
    ],
    badges={"inbox.unread": unread_badge},
    on_start=start_sending,
    on_stop=close_sender,
)
