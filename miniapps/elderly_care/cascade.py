"""Who an alarm rings, and when: its contacts in the elder's order, then the grid worker,
then the community's service centre, each a ring gap after the one before; then, while
nobody answers, up the org tree, an escalation period apart. The plan is fixed when the
alarm is raised; each ring is sent once, by whichever worker claims its step first, and
an answer, a cancel or a close stops the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import (
    ELDER_NEEDS_VISIT,
    Audience,
    ElderNeedsVisit,
    Role,
    Template,
    emit,
    fetch_rows,
    is_within,
    notify,
    person,
    scopes_held,
    unit_of_work,
)
from miniapps.elderly_care.contacts import ringing_order
from miniapps.elderly_care.elders import in_circle
from miniapps.elderly_care.rules import Timing, community_of
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import AlarmAction, AlarmKind, AlarmStatus, RingStage


class Ring(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a plan: whom it rings, `after` seconds from when ringing starts."""

    after: int
    stage: RingStage
    user_id: int | None = None
    role: Role | None = None
    path: str | None = None

    @property
    def audience(self) -> Audience:
        if self.user_id is not None:
            return Audience.users(self.user_id)
        assert self.role is not None
        assert self.path is not None
        # Holders whose scope holds the elder's grid: exactly the staff who may see them.
        return Audience.role_above(self.role, self.path)

    @property
    def whom(self) -> str:
        if self.stage is RingStage.GRID_EVENT:
            return f"grid_events@{self.path}"
        return f"user:{self.user_id}" if self.user_id is not None else f"{self.role}@{self.path}"


_PLAN = msgspec.json.Decoder(list[Ring])

# Up the org tree once the service centre has had its time: the district, then the city.
ESCALATION = (Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)

SOS = Template(
    key="elderly_care.sos",
    category="elderly_care",
    titles={"zh-CN": "紧急求助:{name}", "en": "SOS: {name}"},
    bodies={
        "zh-CN": "{name}需要帮助,请立即响应",
        "en": "{name} needs help. Please answer now.",
    },
)
DEVICE = Template(
    key="elderly_care.device_alarm",
    category="elderly_care",
    titles={"zh-CN": "居家报警:{name}", "en": "Home alarm: {name}"},
    bodies={
        "zh-CN": "{name}家中设备报警,请立即响应",
        "en": "A device in {name}'s home raised an alarm. Please answer now.",
    },
)


REMINDER = Template(
    key="elderly_care.checkin_reminder",
    category="elderly_care",
    titles={"zh-CN": "平安打卡", "en": "Daily check-in"},
    bodies={"zh-CN": "今天还没打卡,点一下报平安", "en": "Tap to say you are well today"},
)
MISSED = Template(
    key="elderly_care.checkin_missed",
    category="elderly_care",
    titles={"zh-CN": "未打卡:{name}", "en": "No check-in: {name}"},
    bodies={
        "zh-CN": "{name}今天没有打卡,请联系确认平安",
        "en": "{name} has not checked in today. Please make sure they are well.",
    },
)
CALLS = {AlarmKind.SOS: SOS, AlarmKind.DEVICE: DEVICE, AlarmKind.CHECKIN: MISSED}
# What the grid worker reads of a grid event opened for an elder, by the alarm's kind.
VISIT_REASONS = {
    AlarmKind.CHECKIN: ("checkin_missed", "老人未按时平安打卡,请上门查看"),
    AlarmKind.DEVICE: ("device_alarm", "老人家中设备报警,请上门查看"),
}


def alarm_link(alarm_id: int) -> str:
    return f"yimen://miniapps/elderly_care/alarms/{alarm_id}"


async def plan_for(elder: Mapping[str, Any], timing: Timing) -> list[Ring]:
    grid = str(elder["grid_path"])
    gap = timing.ring_gap_seconds
    rings = [
        Ring(after=n * gap, stage=RingStage.CONTACT, user_id=member)
        for n, member in enumerate(await ringing_order(int(elder["id"])))
    ]
    worker = elder["grid_worker_id"]
    rings.append(
        Ring(after=len(rings) * gap, stage=RingStage.GRID_WORKER, user_id=int(worker))
        if worker
        else Ring(
            after=len(rings) * gap, stage=RingStage.GRID_WORKER, role=Role.GRID_WORKER, path=grid
        )
    )
    centre = len(rings) * gap
    rings.append(
        Ring(
            after=centre,
            stage=RingStage.CENTRE,
            role=Role.COMMUNITY_ADMIN,
            path=community_of(grid) or grid,
        )
    )
    rings.extend(
        Ring(
            after=centre + n * timing.escalate_after_seconds,
            stage=RingStage.ESCALATION,
            role=role,
            path=grid,
        )
        for n, role in enumerate(ESCALATION, start=1)
    )
    return rings


def with_grid_event(plan: list[Ring], grid: str) -> list[Ring]:
    """The plan with a grid event for the grid's worker beside their own ring: for an
    alarm nobody pressed, which someone must go and see."""
    rings: list[Ring] = []
    for ringing in plan:
        rings.append(ringing)
        if ringing.stage is RingStage.GRID_WORKER:
            rings.append(Ring(after=ringing.after, stage=RingStage.GRID_EVENT, path=grid))
    return rings


def encode_plan(plan: list[Ring]) -> str:
    return msgspec.json.encode(plan).decode()


def due_at(start: dt.datetime, plan: list[Ring], step: int) -> dt.datetime | None:
    """When `step` of a plan whose ringing starts at `start` is due; None past its end."""
    if step >= len(plan):
        return None
    return start + dt.timedelta(seconds=plan[step].after)


async def ring_due(care: CareRuntime) -> int:
    """Ring every step that is due by the care clock: the cron's sweep behind the jobs."""
    rows = await fetch_rows(
        "SELECT id FROM elderly_care_alarm WHERE status = $1 AND next_step_at <= $2"
        " ORDER BY next_step_at LIMIT 500",
        AlarmStatus.RAISED.value,
        care.clock(),
    )
    return sum([await ring(care, int(row["id"])) for row in rows])


async def ring(care: CareRuntime, alarm_id: int) -> int:
    """Send the alarm's due rings, in order; how many this call sent."""
    sent = 0
    while True:
        rows = await fetch_rows("SELECT * FROM elderly_care_alarm WHERE id = $1", alarm_id)
        if not rows:
            return sent
        alarm = rows[0]
        due = alarm["next_step_at"]
        if alarm["status"] != AlarmStatus.RAISED.value or due is None:
            return sent
        if due > care.clock():  # never early: the first ring would fall in the cancel window
            await care.ring_at(alarm_id, int(alarm["next_step"]), due, again=True)
            return sent
        # A step another worker claimed first is read again, not given up on: the steps
        # due after it are this call's to ring as much as theirs.
        sent += await ring_step(care, alarm)


async def ring_step(care: CareRuntime, alarm: Mapping[str, Any]) -> int:
    """Send one step: claimed by moving `next_step` on from the value read, so a second
    worker reading the same step claims nothing and sends nothing."""
    plan = _PLAN.decode(alarm["plan"])
    step = int(alarm["next_step"])
    later = due_at(alarm["notify_from"], plan, step + 1)
    async with unit_of_work():
        claimed = await fetch_rows(
            "UPDATE elderly_care_alarm SET next_step = $3, next_step_at = $4"
            " WHERE id = $1 AND next_step = $2 AND status = $5 RETURNING id",
            alarm["id"],
            step,
            step + 1,
            later,
            AlarmStatus.RAISED.value,
        )
        if not claimed:
            return 0
        # An alarm rung as it is raised has just read whom to ring.
        fresh = bool(alarm.get("fresh"))
        ringing = plan[step] if fresh else await _still_theirs(alarm, plan[step])
        if ringing is None:
            action = AlarmAction.SKIPPED  # they left the elder's circle since it was raised
            ringing = plan[step]
        else:
            action = AlarmAction.RANG
            await _sound(alarm, ringing, step)
        await fetch_rows(
            "INSERT INTO elderly_care_alarm_entry (alarm_id, at, action, whom, note)"
            " VALUES ($1, $2, $3, $4, $5)",
            alarm["id"],
            care.clock(),
            action.value,
            ringing.whom,
            ringing.stage.value,
        )
    return 1


async def _still_theirs(alarm: Mapping[str, Any], ringing: Ring) -> Ring | None:
    """The ring as it stands now: a contact who has left the circle is rung no more, and a
    grid worker who no longer holds the role over the grid gives way to those who do."""
    if ringing.user_id is None or ringing.stage is RingStage.REMINDER:
        return ringing
    if ringing.stage is RingStage.CONTACT:
        return ringing if await in_circle(int(alarm["elder_id"]), ringing.user_id) else None
    grid = str(alarm["grid_path"])
    held = await scopes_held(ringing.user_id, Role.GRID_WORKER)
    if any(is_within(grid, scope) for scope in held):
        return ringing
    return Ring(after=ringing.after, stage=ringing.stage, role=Role.GRID_WORKER, path=grid)


async def _sound(alarm: Mapping[str, Any], ringing: Ring, step: int) -> None:
    """What one step of the plan does: an urgent notice to whom it rings, or, for the grid
    worker of a missed check-in or a device alarm, the event that opens a grid event."""
    kind = AlarmKind(str(alarm["kind"]))
    if ringing.stage is RingStage.GRID_EVENT:
        reason, why = VISIT_REASONS[kind]
        # The alarm's number leads the grid worker (who sees the elder) to whose door it is.
        description = f"{why}(养老求助 #{alarm['id']})"
        await emit(
            ELDER_NEEDS_VISIT,
            ElderNeedsVisit(
                alarm_id=int(alarm["id"]),
                elder_id=int(alarm["elder_id"]),
                grid_path=str(alarm["grid_path"]),
                reason=reason,
                description=description,
            ),
        )
        return
    reminding = ringing.stage is RingStage.REMINDER
    await notify(
        audience=ringing.audience,
        template=REMINDER if reminding else CALLS[kind],
        data={} if reminding else {"name": await _elder_name(alarm)},
        source="elderly_care",
        urgent=kind is not AlarmKind.CHECKIN,
        collapse_key=f"alarm:{alarm['id']}:{step}",
        ttl=600 if kind is not AlarmKind.CHECKIN else 3600,
        deep_link=alarm_link(int(alarm["id"])),
    )


async def _elder_name(alarm: Mapping[str, Any]) -> str:
    """The elder's name; an alarm rung as it is raised knows whose it is."""
    user_id = alarm.get("elder_user_id")
    if user_id is None:
        rows = await fetch_rows(
            "SELECT user_id FROM elderly_care_elder WHERE id = $1", alarm["elder_id"]
        )
        user_id = rows[0]["user_id"]
    found = await person(int(user_id))
    return found.name if found else ""
