"""The devices' sweep, each minute: a home quiet past its device's rule raises an alarm,
once per quiet spell; a device silent for a day is flagged to the elder's care worker,
once until it is heard from again; readings past their keeping are let go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import Audience, Role, Template, fetch_rows, notify, person, unit_of_work
from miniapps.elderly_care.readings import raise_device_alarm
from miniapps.elderly_care.runtime import CareRuntime

SWEEP_BATCH = 500
# Readings are kept this long: past their five minutes of freshness, an event id cannot
# come back, so what is kept is only the home's recent history.
KEEP_READINGS = dt.timedelta(days=30)

SILENT = Template(
    key="elderly_care.device_silent",
    category="elderly_care",
    titles={"zh-CN": "设备无信号:{name}", "en": "Device silent: {name}"},
    bodies={
        "zh-CN": "{name}家中的设备 {device} 已一天没有信号,请上门检查",
        "en": "{device} in {name}'s home has sent nothing for a day. Please check it.",
    },
)


class _Taken(Exception):
    """Another sweep raised this quiet spell's alarm first."""


def elder_link(elder_id: int) -> str:
    return f"yimen://miniapps/elderly_care/elders/{elder_id}"


async def sweep_devices(care: CareRuntime) -> int:
    """Alarms raised and devices flagged, in all."""
    now = care.clock()
    done = await _quiet_homes(care, now) + await _silent_devices(now)
    await fetch_rows(
        "DELETE FROM elderly_care_device_reading WHERE id IN (SELECT id FROM"
        " elderly_care_device_reading WHERE taken_at < $1 ORDER BY id LIMIT $2)",
        now - KEEP_READINGS,
        SWEEP_BATCH,
    )
    return done


async def _due(column: str, flag: str, now: dt.datetime) -> Sequence[Mapping[str, Any]]:
    return await fetch_rows(
        "SELECT d.id AS device_row, d.device, e.* FROM elderly_care_device d"  # noqa: S608 - our own columns
        f" JOIN elderly_care_elder e ON e.id = d.elder_id WHERE d.{column} <= $1"
        f" AND d.{flag} IS NULL ORDER BY d.{column} LIMIT $2",
        now,
        SWEEP_BATCH,
    )


async def _quiet_homes(care: CareRuntime, now: dt.datetime) -> int:
    raised = 0
    for row in await _due("quiet_due_at", "quiet_alarm_id", now):
        try:
            async with unit_of_work():
                alarm_id = await raise_device_alarm(care, row, f"quiet: {row['device']}")
                claimed = await fetch_rows(
                    "UPDATE elderly_care_device SET quiet_alarm_id = $2 WHERE id = $1"
                    " AND quiet_alarm_id IS NULL AND quiet_due_at <= $3 RETURNING id",
                    row["device_row"],
                    alarm_id,
                    now,
                )
                if not claimed:
                    raise _Taken  # rolls back the alarm just raised, and its first ring
        except _Taken:
            continue
        raised += 1
    return raised


async def _silent_devices(now: dt.datetime) -> int:
    flagged = 0
    for row in await _due("silent_due_at", "silent_flagged_at", now):
        async with unit_of_work():
            claimed = await fetch_rows(
                "UPDATE elderly_care_device SET silent_flagged_at = $2 WHERE id = $1"
                " AND silent_flagged_at IS NULL AND silent_due_at <= $2 RETURNING id",
                row["device_row"],
                now,
            )
            if not claimed:
                continue
            await _flag(row)
        flagged += 1
    return flagged


async def _flag(row: Mapping[str, Any]) -> None:
    """To the elder's care worker; with none assigned, the care workers over their grid."""
    worker = row["care_worker_id"]
    elder = await person(int(row["user_id"]))
    await notify(
        audience=(
            Audience.users(int(worker))
            if worker
            else Audience.role_above(Role.CARE_WORKER, str(row["grid_path"]))
        ),
        template=SILENT,
        data={"name": elder.name if elder else "", "device": str(row["device"])},
        source="elderly_care",
        collapse_key=f"device:{row['device_row']}:silent",
        deep_link=elder_link(int(row["id"])),
    )
