"""Rows for care visits, the care report and care staff's list of elders. Care staff
over the elder's grid set the visit plan; the care and grid workers over it check in; only
who checked in checks out; whoever sees the elder reads the plan and the visits; to anyone
else the elder and the visit are not found. The admins over an org unit read its care
report; care staff over it list its elders. Only who made a visit adds its photos; whoever
sees the elder sees them, and a photo asked for under another visit is not found."""

from __future__ import annotations

import datetime as dt

from miniapps.elderly_care.tables import Visit, VisitPhoto, VisitPlan
from tests.authz.city import City, png
from tests.authz.matrix import (
    ADMINS_ABOVE_G07,
    C03,
    Caller,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    path_ids,
)
from tests.authz.rows.elderly_care import APP, STAFF_OF_G07, _afresh, _elder_with_family

SEES_THE_ELDER = (Caller.RESIDENT, Caller.FAMILY, *STAFF_OF_G07)
ELDER_SIDE = (Caller.RESIDENT, Caller.FAMILY)
VISITORS = (Caller.WORKER_G07, Caller.CARE)
HOME = {"latitude": 34.8051, "longitude": 113.5552}


async def _tidy(city: City) -> None:
    await VisitPhoto.delete(force=True)
    await Visit.delete(force=True)
    await VisitPlan.delete(force=True)
    await _afresh()


async def _visited(city: City, caller: Caller) -> Target:
    """The g07 elder with their family member, a visit plan, and the care worker's visit
    still open."""
    await _tidy(city)
    target = await _elder_with_family(city, caller)
    now = dt.datetime.now(dt.UTC)
    await VisitPlan.insert(
        VisitPlan(
            elder_id=target.ids["elder_id"],
            every_days=7,
            min_minutes=20,
            set_by=city.ids[Caller.CARE],
            set_at=now,
        )
    )
    [visit] = await Visit.insert(
        Visit(
            elder_id=target.ids["elder_id"],
            worker_id=city.ids[Caller.CARE],
            grid_path=target.path,
            arrived_at=now,
            arrived_latitude=HOME["latitude"],
            arrived_longitude=HOME["longitude"],
        )
    )
    return Target(
        path=target.path, owner=Caller.RESIDENT, ids={**target.ids, "visit_id": visit["id"]}
    )


async def _not_visiting(city: City, caller: Caller) -> Target:
    target = await _visited(city, caller)
    await Visit.delete(force=True)
    return target


async def _with_photo(city: City, caller: Caller) -> Target:
    """The visit with a photo its care worker took."""
    target = await _visited(city, caller)
    sent = await city.send(
        Caller.CARE, "POST", f"{APP}/visits/{{visit_id}}/photos", _photo_req(target)
    )
    assert sent.status_code == 201, sent.text
    return Target(
        path=target.path,
        owner=target.owner,
        ids={**target.ids, "photo_id": sent.json()["photo_id"]},
    )


async def _photo_under_another_visit(city: City, caller: Caller) -> Target:
    """The photo asked for under the elder's next visit, which the same callers see."""
    target = await _with_photo(city, caller)
    now = dt.datetime.now(dt.UTC)
    [later] = await Visit.insert(
        Visit(
            elder_id=target.ids["elder_id"],
            worker_id=city.ids[Caller.WORKER_G07],
            grid_path=target.path,
            arrived_at=now,
            arrived_latitude=HOME["latitude"],
            arrived_longitude=HOME["longitude"],
        )
    )
    return Target(path=target.path, ids={**target.ids, "visit_id": later["id"]})


def _photo_req(target: Target) -> Req:
    return Req(
        path_params={"visit_id": target.ids["visit_id"]},
        content=png(),
        headers={"Content-Type": "image/png"},
    )


async def _photo(city: City, target: Target, caller: Caller) -> Req:
    return _photo_req(target)


async def _plan(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"elder_id": target.ids["elder_id"]}, json={"every_days": 3})


async def _here(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"elder_id": target.ids["elder_id"]}, json=HOME)


async def _leaving(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"visit_id": target.ids["visit_id"]}, json={**HOME, "notes": "好"})


async def _under(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"under": C03})


async def _under_g07(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"under": target.path})


def _row(
    method: str,
    path: str,
    fixture: TargetMaker,
    expect: dict[Caller, int],
    request: RequestMaker,
    *,
    denied: int = 404,
) -> Row:
    return Row(method, path, {"-": fixture}, {"-": expect}, request, denied=denied, after=_tidy)


PLAN = f"{APP}/elders/{{elder_id:int}}/visit-plan"
VISITS = f"{APP}/elders/{{elder_id:int}}/visits"

ROWS = [
    _row("GET", PLAN, _visited, each(SEES_THE_ELDER, 200), path_ids("elder_id")),
    _row("PUT", PLAN, _visited, {**each(STAFF_OF_G07, 200), **each(ELDER_SIDE, 403)}, _plan),
    _row(
        "POST",
        VISITS,
        _not_visiting,
        {**each(VISITORS, 201), **each((*ELDER_SIDE, *ADMINS_ABOVE_G07), 403)},
        _here,
    ),
    _row("GET", VISITS, _visited, each(SEES_THE_ELDER, 200), path_ids("elder_id")),
    _row(
        "POST",
        f"{APP}/visits/{{visit_id:int}}/leave",
        _visited,
        {Caller.CARE: 200, **each((*ELDER_SIDE, Caller.WORKER_G07, *ADMINS_ABOVE_G07), 403)},
        _leaving,
    ),
    _row(
        "POST",
        f"{APP}/visits/{{visit_id:int}}/photos",
        _visited,
        {Caller.CARE: 201, **each((*ELDER_SIDE, Caller.WORKER_G07, *ADMINS_ABOVE_G07), 403)},
        _photo,
    ),
    Row(
        "GET",
        f"{APP}/visits/{{visit_id:int}}/photos/{{photo_id:int}}",
        {"its visit": _with_photo, "another visit": _photo_under_another_visit},
        {"its visit": each(SEES_THE_ELDER, 200), "another visit": {}},
        path_ids("visit_id", "photo_id"),
        denied=404,
        after=_tidy,
    ),
    _row("GET", f"{APP}/care-report", _visited, each(ADMINS_ABOVE_G07, 200), _under, denied=403),
    # Care staff's list of the elders under a unit: g07's, for the staff over g07.
    _row("GET", f"{APP}/elders", _visited, each(STAFF_OF_G07, 200), _under_g07, denied=403),
]
