"""Rows for elderly care's alarms, contacts, alarm timing and daily check-ins. The elder
raises and cancels their own SOS; whoever else sees the elder (their accepted circle, care
staff over their grid) reads, answers, arrives at and closes it, and to anyone else it is
not found. The elder or staff order the contacts and set the check-in plan; the elder or a
member checks in; the admins over a community set its alarm timing."""

from __future__ import annotations

import datetime as dt

from miniapps.elderly_care.tables import Alarm, AlarmEntry, CheckinDay, CheckinPlan, SosRules
from tests.authz.city import City
from tests.authz.matrix import (
    ADMINS_ABOVE_G07,
    C03,
    Caller,
    Req,
    Row,
    Target,
    each,
    json_body,
    path_ids,
)
from tests.authz.rows.elderly_care import APP, STAFF_OF_G07, _afresh, _elder_with_family

ALARM = f"{APP}/alarms/{{alarm_id:int}}"
SEES_THE_ELDER = (Caller.RESIDENT, Caller.FAMILY, *STAFF_OF_G07)
HELPERS = (Caller.FAMILY, *STAFF_OF_G07)


async def _tidy(city: City) -> None:
    await CheckinDay.delete(force=True)
    await CheckinPlan.delete(force=True)
    await AlarmEntry.delete(force=True)
    await Alarm.delete(force=True)
    await SosRules.delete(force=True)
    await _afresh()


async def _open_alarm(city: City, caller: Caller) -> Target:
    """The g07 elder, with their family member in the circle, and an SOS ringing."""
    await _tidy(city)
    target = await _elder_with_family(city, caller)
    now = dt.datetime.now(dt.UTC)
    [alarm] = await Alarm.insert(
        Alarm(
            elder_id=target.ids["elder_id"],
            kind="sos",
            status="raised",
            grid_path=target.path,
            raised_by=city.ids[Caller.RESIDENT],
            raised_at=now,
            notify_from=now,
            plan="[]",
        )
    )
    return Target(
        path=target.path, owner=Caller.RESIDENT, ids={**target.ids, "alarm_id": alarm["id"]}
    )


async def _rules(city: City, caller: Caller) -> Target:
    await SosRules.delete(force=True)
    return Target(path=C03)


def _alarm_row(method: str, action: str, expect: dict[Caller, int], body: object = None) -> Row:
    return Row(
        method,
        f"{ALARM}/{action}" if action else ALARM,
        {"the g07 elder's SOS": _open_alarm},
        {"the g07 elder's SOS": expect},
        json_body(lambda t: body) if body is not None else path_ids("alarm_id"),
        denied=404,
        after=_tidy,
    )


async def _alarm_with_body(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"alarm_id": target.ids["alarm_id"]}, json={"outcome": "helped"})


async def _contacts(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"elder_id": target.ids["elder_id"]},
        json={"member_ids": [city.ids[Caller.FAMILY]]},
    )


async def _community(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"community": C03})


TIMING = {
    "community": C03,
    "cancel_window_seconds": 5,
    "ring_gap_seconds": 60,
    "escalate_after_seconds": 300,
}

ROWS = [
    Row(
        "POST",
        f"{APP}/elders/{{elder_id:int}}/sos",
        {"the g07 elder": _elder_with_family},
        # The circle and staff see the elder but cannot press the elder's button.
        {"the g07 elder": {Caller.RESIDENT: 201, **each(HELPERS, 403)}},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    _alarm_row("GET", "", each(SEES_THE_ELDER, 200)),
    Row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}/alarms",
        {"the g07 elder": _open_alarm},
        {"the g07 elder": each(SEES_THE_ELDER, 200)},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    _alarm_row("POST", "cancel", {Caller.RESIDENT: 200, **each(HELPERS, 403)}),
    *(
        _alarm_row("POST", action, {Caller.RESIDENT: 403, **each(HELPERS, 200)})
        for action in ("acknowledge", "arrive")
    ),
    Row(
        "POST",
        f"{ALARM}/close",
        {"the g07 elder's SOS": _open_alarm},
        {"the g07 elder's SOS": {Caller.RESIDENT: 403, **each(HELPERS, 200)}},
        _alarm_with_body,
        denied=404,
        after=_tidy,
    ),
    Row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}/contacts",
        {"the g07 elder": _elder_with_family},
        {"the g07 elder": each(SEES_THE_ELDER, 200)},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    Row(
        "PUT",
        f"{APP}/elders/{{elder_id:int}}/contacts",
        {"the g07 elder": _elder_with_family},
        {"the g07 elder": {**each((Caller.RESIDENT, *STAFF_OF_G07), 200), Caller.FAMILY: 403}},
        _contacts,
        denied=404,
        after=_tidy,
    ),
    Row(
        "GET",
        f"{APP}/sos-rules",
        {"c03": _rules},
        {"c03": each(ADMINS_ABOVE_G07, 200)},
        _community,
    ),
    Row(
        "PUT",
        f"{APP}/sos-rules",
        {"c03": _rules},
        {"c03": each(ADMINS_ABOVE_G07, 200)},
        json_body(lambda t: TIMING),
        after=_tidy,
    ),
]


async def _elder_with_a_plan(city: City, caller: Caller) -> Target:
    """The g07 elder with their family member, checking in at any time of every day."""
    await _tidy(city)
    target = await _elder_with_family(city, caller)
    await CheckinPlan.insert(
        CheckinPlan(
            elder_id=target.ids["elder_id"],
            starts=0,
            ends=1439,
            days=127,
            grace_minutes=0,
            step_minutes=30,
            set_by=city.ids[Caller.RESIDENT],
        )
    )
    return target


async def _plan_body(city: City, target: Target, caller: Caller) -> Req:
    plan = {"starts": "08:00", "ends": "10:00", "days": [1, 2, 3, 4, 5, 6, 7]}
    return Req(path_params={"elder_id": target.ids["elder_id"]}, json=plan)


CHECKIN_ROWS = [
    Row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}/checkin-plan",
        {"the g07 elder": _elder_with_a_plan},
        {"the g07 elder": each(SEES_THE_ELDER, 200)},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    Row(
        "PUT",
        f"{APP}/elders/{{elder_id:int}}/checkin-plan",
        {"the g07 elder": _elder_with_a_plan},
        {"the g07 elder": {**each((Caller.RESIDENT, *STAFF_OF_G07), 200), Caller.FAMILY: 403}},
        _plan_body,
        denied=404,
        after=_tidy,
    ),
    Row(
        "POST",
        f"{APP}/elders/{{elder_id:int}}/checkins",
        {"the g07 elder": _elder_with_a_plan},
        # The elder, or a member for them; staff close alarms, they do not check in.
        {
            "the g07 elder": {
                **each((Caller.RESIDENT, Caller.FAMILY), 200),
                **each(STAFF_OF_G07, 403),
            }
        },
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    Row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}/checkins",
        {"the g07 elder": _elder_with_a_plan},
        {"the g07 elder": each(SEES_THE_ELDER, 200)},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
]
ROWS += CHECKIN_ROWS
