"""The open platform (开放平台): outside organisations publish mini-apps that run on their
own servers as H5 pages in the app, through the city's review. Publishers, their apps'
credentials, and each app's versions through review."""

from backend.sdk import Manifest, Role, Section, Tile
from miniapps.open_platform.controllers import router
from miniapps.open_platform.launch_controllers import consents_router
from miniapps.open_platform.launch_tiles import LaunchTiles, start_launch_tiles, stop_launch_tiles

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
    on_start=start_launch_tiles,
    on_stop=stop_launch_tiles,
    provides={"launch_tiles": LaunchTiles},
)
