"""The open platform (开放平台): outside organisations publish mini-apps that run on their
own servers as H5 pages in the app, through the city's review. Publishers, their apps'
credentials, and each app's versions through review."""

from backend.sdk import Cron, Job, JobContext, Manifest, Role, Section, Subscription, Tile
from miniapps.open_platform.controllers import router
from miniapps.open_platform.launch_controllers import consents_router
from miniapps.open_platform.launch_tiles import LaunchTiles, start_launch_tiles, stop_launch_tiles
from miniapps.open_platform.schemas import AppTold
from miniapps.open_platform.webhooks import APP_TOLD, attempt, record_delivery, sweep


async def attempt_webhook(job: JobContext, delivery_id: int) -> str:
    """One try of a webhook delivery, if it is due."""
    return await attempt(job.services, delivery_id)


async def sweep_webhooks(job: JobContext) -> int:
    """Hand on the webhook deliveries due whose hand-on was lost or whose worker died."""
    return await sweep(job.services)


MINIAPP = Manifest(
    id="open_platform",
    version="0.1.0",
    names={"zh-CN": "开放平台", "en": "Open platform"},
    descriptions={
        "zh-CN": "第三方机构发布小程序:主体认证、应用登记、版本审核",
        "en": "Outside organisations publish mini-apps: publishers, apps, versions in review",
    },
    icon="open",
    tiles=[
        Tile(
            id="console",
            titles={"zh-CN": "开发者中心", "en": "Developer console"},
            icon="open",
            target="native:open_platform/console",
            roles=frozenset({Role.DEVELOPER}),
            section=Section.WORK,
            order=20,
        ),
        Tile(
            id="review",
            titles={"zh-CN": "应用审核", "en": "App review"},
            icon="open",
            target="native:open_platform/review",
            roles=frozenset({Role.PLATFORM_ADMIN}),
            section=Section.WORK,
            order=21,
        ),
    ],
    router=router,
    personal_routers=[consents_router],
    piccolo_app="miniapps.open_platform.piccolo_app",
    # A try waits for the answer up to YIMEN_OPEN_WEBHOOK_TIMEOUT (at most 60 s).
    jobs=[Job("attempt_webhook", attempt_webhook, timeout=90)],
    crons=[Cron(name="sweep_webhooks", run=sweep_webhooks, second=frozenset(range(0, 60, 10)))],
    emits={APP_TOLD: AppTold},
    subscribes=[Subscription(APP_TOLD, record_delivery, "open_platform.record_delivery")],
    on_start=start_launch_tiles,
    on_stop=stop_launch_tiles,
    provides={"launch_tiles": LaunchTiles},
)
