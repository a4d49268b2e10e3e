"""Health code (健康码): colours set by officials, codes bound to the holder's phone that a
checkpoint verifies offline, and scans recorded for tracing."""

from backend.sdk import Cron, JobContext, Manifest, Role, Section, Tile
from miniapps.health_code.checkpoint import Checkpoint, start_checkpoint, stop_checkpoint
from miniapps.health_code.controllers import router
from miniapps.health_code.retention import PARTITIONED
from miniapps.health_code.status import end_lapsed_statuses


async def end_lapsed(job: JobContext) -> int:
    return await end_lapsed_statuses()


MINIAPP = Manifest(
    id="health_code",
    version="0.1.0",
    names={"zh-CN": "健康码", "en": "Health code"},
    descriptions={"zh-CN": "出示与核验健康码", "en": "Show and check health codes"},
    icon="qrcode",
    tiles=[
        Tile(
            id="show",
            titles={"zh-CN": "健康码", "en": "Health code"},
            icon="qrcode",
            target="native:health_code/show",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            order=1,
        ),
        Tile(
            id="scan",
            titles={"zh-CN": "扫码核验", "en": "Check codes"},
            icon="scan",
            target="native:health_code/scan",
            roles=frozenset({Role.CHECKPOINT_STAFF}),
            section=Section.WORK,
            order=1,
        ),
        Tile(
            id="places",
            titles={"zh-CN": "场所码", "en": "Place codes"},
            icon="storefront",
            target="native:health_code/places",
            roles=frozenset({Role.MERCHANT}),
            section=Section.WORK,
            order=1,
        ),
        Tile(
            id="manage",
            titles={"zh-CN": "健康状态管理", "en": "Health statuses"},
            icon="shield",
            target="native:health_code/manage",
            roles=frozenset({Role.HEALTH_OFFICIAL}),
            section=Section.ADMIN,
        ),
    ],
    router=router,
    piccolo_app="miniapps.health_code.piccolo_app",
    on_start=start_checkpoint,
    on_stop=stop_checkpoint,
    provides={"checkpoint": Checkpoint},
    partitioned=PARTITIONED,
    crons=[
        Cron(name="end_lapsed_statuses", run=end_lapsed, second=frozenset({0})),
    ],
)
