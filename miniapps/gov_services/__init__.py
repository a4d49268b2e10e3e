"""The service engine (掌上办事): government service items configured as versioned documents,
and residents' applications run through them across departments."""

from backend.sdk import (
    CALENDAR_YEAR_LOADED,
    Cron,
    Event,
    JobContext,
    Manifest,
    Role,
    Section,
    Subscription,
    Tile,
)
from miniapps.gov_services.bundle_release import follow_delivery, is_delivery
from miniapps.gov_services.controllers import router
from miniapps.gov_services.demo import seed_demo_catalogue
from miniapps.gov_services.desk import start_engine, stop_engine
from miniapps.gov_services.feedback.rectifications import recount_provisional
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.notices import tell_of_move
from miniapps.gov_services.recount import recount_due_dates
from miniapps.gov_services.states import APPLICATION_MOVED, ApplicationMoved
from miniapps.gov_services.watch import Watched, watch_deadlines

APP_ID = "gov_services"


async def watch(job: JobContext) -> Watched:
    return await watch_deadlines()


async def recount_rectifications(event: Event, job: JobContext) -> None:
    await recount_provisional()


MINIAPP = Manifest(
    id=APP_ID,
    version="0.1.0",
    names={"zh-CN": "办事", "en": "Services"},
    descriptions={
        "zh-CN": "政务服务事项在线申办、进度查询与评价",
        "en": "Apply for government services, follow them and rate them",
    },
    icon="services",
    tiles=[
        Tile(
            id="apply",
            titles={"zh-CN": "办事", "en": "Services"},
            icon="services",
            target="native:gov_services/catalogue",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            order=3,
        ),
        Tile(
            id="worklist",
            titles={"zh-CN": "待办件", "en": "Applications to handle"},
            icon="inbox",
            target="native:gov_services/worklist",
            roles=frozenset({Role.SERVICE_OFFICER, Role.SERVICE_APPROVER}),
            section=Section.WORK,
            order=2,
        ),
        Tile(
            id="catalogue_admin",
            titles={"zh-CN": "事项管理", "en": "Service catalogue"},
            icon="catalogue",
            target="native:gov_services/admin",
            roles=frozenset({Role.SERVICE_ADMIN}),
            section=Section.ADMIN,
            order=2,
        ),
    ],
    router=router,
    piccolo_app="miniapps.gov_services.piccolo_app",
    emits={APPLICATION_MOVED: ApplicationMoved},
    demo=seed_demo_catalogue,
    crons=[Cron(name="watch_deadlines", run=watch, minute=frozenset(range(0, 60, 5)))],
    subscribes=[
        Subscription(
            CALENDAR_YEAR_LOADED, recount_rectifications, "gov_services.recount_rectifications"
        ),
        # Notices follow from the change's one event (notices.py says who hears what).
        Subscription(APPLICATION_MOVED, tell_of_move, "gov_services.tell_of_move"),
        # Provisional due dates are counted again once their year's holidays are known.
        Subscription(CALENDAR_YEAR_LOADED, recount_due_dates, "gov_services.recount_due_dates"),
        # A granted delivery: what it issued is learnt, then the bundle members waiting
        # for it start (bundle_release.py).
        Subscription(
            APPLICATION_MOVED,
            follow_delivery,
            "gov_services.follow_delivery",
            when=is_delivery,
        ),
    ],
    # The licence sources (电子证照) of `yimen.licence_providers`, loaded once, and the
    # desk through which other parts start applications.
    on_start=start_engine,
    on_stop=stop_engine,
    provides={"licence_sources": Licences},
)
