"""Elderly care (智慧养老): elders, their family circles, the SOS, the daily check-in and
the devices in their homes."""

from backend.sdk import (
    CHARGE_FINISHED,
    ELDER_NEEDS_VISIT,
    Cron,
    ElderNeedsVisit,
    Event,
    Job,
    JobContext,
    Manifest,
    Role,
    Section,
    Subscription,
    Tile,
)
from miniapps.elderly_care.bookings import charge_finished
from miniapps.elderly_care.cascade import ring, ring_due
from miniapps.elderly_care.checkins import raise_missed
from miniapps.elderly_care.controllers import router
from miniapps.elderly_care.device_sweep import sweep_devices
from miniapps.elderly_care.runtime import CareRuntime, start_care


async def ring_alarm(job: JobContext, alarm_id: int) -> int:
    """An alarm's step whose time has come (queued for that time when the one before rang)."""
    return await ring(job.services.runtime(CareRuntime), alarm_id)


async def sweep_checkins(job: JobContext) -> int:
    """Raise an alarm for every elder whose check-in window, and its grace, passed today."""
    return await raise_missed(job.services.runtime(CareRuntime))


async def sweep_homes(job: JobContext) -> int:
    """Alarm for every home quiet past its device's rule; flag every device silent a day."""
    return await sweep_devices(job.services.runtime(CareRuntime))


async def booking_charge_finished(event: Event, job: JobContext) -> None:
    """A booking's charge was paid, or closed unpaid."""
    await charge_finished(event.payload, job.services.runtime(CareRuntime))


async def ring_overdue(job: JobContext) -> int:
    """Every alarm step past due whose job was lost: the sweep behind the queue."""
    return await ring_due(job.services.runtime(CareRuntime))


MINIAPP = Manifest(
    id="elderly_care",
    version="0.1.0",
    names={"zh-CN": "智慧养老", "en": "Elderly care"},
    descriptions={"zh-CN": "老人档案与亲情关联", "en": "Elders and their family circles"},
    icon="elderly",
    # Elder mode opens on four big buttons, the SOS first; the SOS, the check-in and the
    # services are an elder's, so they are not shown outside elder mode.
    tiles=[
        Tile(
            id="sos",
            titles={"zh-CN": "一键呼叫", "en": "SOS"},
            icon="sos",
            target="native:elderly_care/sos",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            elder_only=True,
            elder_order=-4,
        ),
        Tile(
            id="checkin",
            titles={"zh-CN": "平安打卡", "en": "I am well"},
            icon="checkin",
            target="native:elderly_care/checkin",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            elder_only=True,
            elder_order=-3,
        ),
        Tile(
            id="family",
            titles={"zh-CN": "我的家人", "en": "My family"},
            icon="family",
            target="native:elderly_care/family",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            order=6,
            elder_order=-2,
        ),
        Tile(
            id="services",
            titles={"zh-CN": "居家服务", "en": "Home care"},
            icon="home_care",
            target="native:elderly_care/services",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            elder_only=True,
            elder_order=-1,
        ),
        Tile(
            id="elders",
            titles={"zh-CN": "老人档案", "en": "Elders"},
            icon="elderly",
            target="native:elderly_care/elders",
            roles=frozenset({Role.CARE_WORKER, Role.GRID_WORKER, Role.COMMUNITY_ADMIN}),
            section=Section.WORK,
            order=4,
        ),
    ],
    router=router,
    piccolo_app="miniapps.elderly_care.piccolo_app",
    jobs=[Job("ring", ring_alarm)],
    crons=[
        Cron(name="ring_due", run=ring_overdue, second=frozenset(range(0, 60, 5))),
        Cron(name="sweep_checkins", run=sweep_checkins, second=frozenset({30})),
        Cron(name="sweep_devices", run=sweep_homes, second=frozenset({45})),
    ],
    emits={ELDER_NEEDS_VISIT: ElderNeedsVisit},
    subscribes=[
        Subscription(
            CHARGE_FINISHED, booking_charge_finished, "elderly_care.booking_charge_finished"
        )
    ],
    on_start=start_care,
    provides={"care": CareRuntime},
)
