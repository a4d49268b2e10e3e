"""The service engine (掌上办事): government service items configured as versioned documents,
and residents' applications run through them across departments."""

from backend.sdk import CALENDAR_YEAR_LOADED, Manifest, Role, Section, Subscription, Tile
from miniapps.gov_services.bundle_release import follow_delivery
from miniapps.gov_services.controllers import router
from miniapps.gov_services.demo import seed_demo_catalogue
from miniapps.gov_services.licences.provider import Licences, start_licences
from miniapps.gov_services.notices import tell_of_move
from miniapps.gov_services.recount import recount_provisional
from miniapps.gov_services.states import APPLICATION_MOVED, ApplicationMoved

APP_ID = "gov_services"

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
    subscribes=[
        # Notices follow from the change's one event (notices.py says who hears what).
        Subscription(APPLICATION_MOVED, tell_of_move, "gov_services.tell_of_move"),
        # Provisional due dates are counted again once their year's holidays are known.
        Subscription(CALENDAR_YEAR_LOADED, recount_provisional, "gov_services.recount_provisional"),
        # A granted delivery: what it issued is learnt, then the bundle members waiting
        # for it start (bundle_release.py).
        Subscription(APPLICATION_MOVED, follow_delivery, "gov_services.follow_delivery"),
    ],
    # The licence sources (电子证照) of `yimen.licence_providers`, loaded once.
    on_start=start_licences,
    provides={"licences": Licences},
    demo=seed_demo_catalogue,
)
