"""Grid events (网格事件): residents and workers report, admins register and dispatch, the
handler's phone hears of it, and every step is kept."""

from backend.sdk import (
    ELDER_NEEDS_VISIT,
    Cron,
    JobContext,
    Manifest,
    Role,
    Section,
    Subscription,
    Tile,
    TimePartitioned,
)
from miniapps.grid_events.care_visits import open_care_visit
from miniapps.grid_events.controllers import router
from miniapps.grid_events.escalation import escalate_overdue
from miniapps.grid_events.open311 import open311
from miniapps.grid_events.suggest import suggest
from miniapps.grid_events.switches import APP_ID
from miniapps.grid_events.tables import TimelineEntry


async def escalate(job: JobContext) -> int:
    return await escalate_overdue()


MINIAPP = Manifest(
    id=APP_ID,
    version="0.1.0",
    names={"zh-CN": "网格事件", "en": "Grid events"},
    descriptions={"zh-CN": "随手拍、上报与处置", "en": "Report and resolve local problems"},
    icon="grid",
    tiles=[
        Tile(
            id="report",
            titles={"zh-CN": "随手拍", "en": "Report a problem"},
            icon="camera",
            target="native:grid_events/report",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            order=2,
        ),
        Tile(
            id="queue",
            titles={"zh-CN": "我的任务", "en": "My tasks"},
            icon="tasks",
            target="native:grid_events/queue",
            roles=frozenset({Role.GRID_WORKER}),
            section=Section.WORK,
            order=1,
        ),
        Tile(
            id="console",
            titles={"zh-CN": "事件处置", "en": "Event desk"},
            icon="desk",
            target="native:grid_events/console",
            roles=frozenset({Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN}),
            section=Section.ADMIN,
            order=1,
        ),
    ],
    router=router,
    piccolo_app="miniapps.grid_events.piccolo_app",
    # Kept for as long as the events are: the timeline is their history.
    partitioned=[TimePartitioned(by=TimelineEntry.at)],
    crons=[Cron(name="escalate_overdue", run=escalate, second=frozenset({0}))],
    standard_routers=[open311],
    tags={
        "open311": "Open311 GeoReport v2: grid events in public categories as service "
        "requests, for civic apps that speak the standard; reading needs no login.",
    },
    commands=[suggest],
    subscribes=[Subscription(ELDER_NEEDS_VISIT, open_care_visit, "grid_events.open_care_visit")],
)
