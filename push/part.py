"""Push as a part of the host: its routes, tables, event, handler, jobs, crons and badge."""

from __future__ import annotations

from litestar import Router

from backend.directory.users.profile import HOME_SET
from backend.kernel.contract import Cron, HostPart, Job, JobContext, Subscription
from backend.kernel.guards import BEARER_TOKEN, SignedIn
from backend.kernel.notices import NOTICE_REQUESTED, Notice
from backend.kernel.partitions import Retention, TimePartitioned
from push.area import reach_area, resume_reaching
from push.controllers import ROUTES
from push.devices import prune_stale_devices
from push.fanout import fan_out
from push.inbox import unread_badge
from push.sending import PushRuntime, resume_sending, send_notification, start_push, stop_push
from push.service import NOTIFICATION_REQUESTED, NotificationRequested, take_notice
from push.tables import Delivery
from push.topics import follow_home, plan_unplanned, sync_topics

# A delivery is the record of one send; what the person was told stays in their inbox.
DELIVERY_KEEP = Retention(months=3)


async def prune_devices(job: JobContext) -> int:
    return await prune_stale_devices()


PUSH = HostPart(
    name="push",
    order=30,
    router=Router(
        path="/",
        middleware=[SignedIn],
        security=BEARER_TOKEN,
        route_handlers=ROUTES,
    ),
    piccolo_app="push.piccolo_app",
    provides={"push": PushRuntime},
    emits={NOTIFICATION_REQUESTED: NotificationRequested, NOTICE_REQUESTED: Notice},
    subscribes=[
        Subscription(NOTIFICATION_REQUESTED, fan_out, "push.fan_out"),
        Subscription(NOTICE_REQUESTED, take_notice, "push.take_notice"),
        Subscription(HOME_SET, follow_home, "push.follow_home"),
    ],
    jobs=[
        Job("send", send_notification, timeout=120),
        Job("sync_topics", sync_topics),
        Job("reach_area", reach_area, timeout=600),
    ],
    crons=[
        Cron(name="resume", run=resume_sending, second=frozenset(range(5, 60, 10))),
        Cron(name="resume_reaching", run=resume_reaching, second=frozenset({25, 55})),
        Cron(name="resync_topics", run=sync_topics, second=frozenset({35})),
        Cron(name="plan_unplanned_topics", run=plan_unplanned, second=frozenset({40})),
        Cron(
            name="prune_devices",
            run=prune_devices,
            hour=frozenset({3}),
            minute=frozenset({17}),
            second=frozenset({0}),
        ),
    ],
    badges={"inbox.unread": unread_badge},
    partitioned=[TimePartitioned(by=Delivery.notified_at, keep=DELIVERY_KEEP)],
    on_start=start_push,
    on_stop=stop_push,
    tags={
        "push": "Phones registered for push notifications, the persistent inbox, quiet hours "
        "and muted categories, and delivery reports for operators.",
    },
)
