"""Rows for legal-aid cases. A case is seen by its applicant, its lawyer and the district's
centre (its admins; the heads of its legal-aid centres), and by nobody else, who is told
it does not exist. The centre assigns and reviews; the centre or the lawyer records a
conflict; only the lawyer writes notes, hearings and the close-out; only the applicant
rates. A refusal is seen by its applicant, who alone objects, and by the district's bureau,
which alone reviews the objection."""

from __future__ import annotations

import datetime as dt

from miniapps.legal_aid.tables import (
    AidCase,
    AidConflict,
    AidHearing,
    AidNote,
    AidRefusal,
    Lawyer,
    Shift,
    Station,
)
from tests.authz.city import City
from tests.authz.matrix import (
    G07,
    GX,
    SIGNED_IN,
    Caller,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    no_request,
    path_ids,
)

APP = "/v1/miniapps/legal_aid"
CASE = f"{APP}/cases/{{case_id:int}}"
REFUSAL = f"{APP}/refusals/{{refusal_id:int}}"
SUPERVISORS = (Caller.DISTRICT_GX, Caller.PLATFORM)
NOT_LAWYER = (Caller.RESIDENT, *SUPERVISORS)


async def _tidy(city: City) -> None:
    for table in (AidRefusal, AidHearing, AidNote, AidConflict, AidCase, Shift, Lawyer, Station):
        await table.delete(force=True)


async def _case(city: City, status: str, *, assigned: bool) -> Target:
    """The g07 resident's granted case in zz/gx, the demo lawyer listed at its centre and
    on duty; theirs if `assigned`."""
    await _tidy(city)
    now = dt.datetime.now(dt.UTC)
    [station] = await Station.insert(
        Station(
            name="高新区法律援助中心",
            kind="centre",
            org_path=GX,
            district=GX,
            created_by=city.ids[Caller.DISTRICT_GX],
            created_at=now,
        )
    )
    [lawyer] = await Lawyer.insert(
        Lawyer(
            user_id=city.ids[Caller.LAWYER],
            station_id=station["id"],
            district=GX,
            specialities="labour",
            listed_by=city.ids[Caller.DISTRICT_GX],
            listed_at=now,
        )
    )
    await Shift.insert(
        Shift(
            lawyer_id=lawyer["id"],
            district=GX,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=8),
            set_by=city.ids[Caller.DISTRICT_GX],
        )
    )
    [case] = await AidCase.insert(
        AidCase(
            application_id=7001,
            ref_no="FY00007001",
            applicant_id=city.ids[Caller.RESIDENT],
            district=GX,
            status=status,
            granted_at=now,
            assign_due_at=now + dt.timedelta(days=3),
            lawyer_id=city.ids[Caller.LAWYER] if assigned else None,
            assigned_at=now if assigned else None,
        )
    )
    return Target(path=G07, owner=Caller.RESIDENT, ids={"case_id": case["id"]})


async def _granted(city: City, caller: Caller) -> Target:
    return await _case(city, "awaiting_lawyer", assigned=False)


async def _assigned(city: City, caller: Caller) -> Target:
    return await _case(city, "assigned", assigned=True)


async def _reviewing(city: City, caller: Caller) -> Target:
    return await _case(city, "reviewing", assigned=True)


async def _closed(city: City, caller: Caller) -> Target:
    return await _case(city, "closed", assigned=True)


def _on(body: object) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        made = body(city) if callable(body) else body
        return Req(path_params={"case_id": target.ids["case_id"]}, json=made)

    return request


async def _in_gx(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"district": GX})


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


async def _refused(city: City, caller: Caller, *, objected: bool = False) -> Target:
    """The g07 resident's refused application in zz/gx; objected to if `objected`."""
    await _tidy(city)
    now = dt.datetime.now(dt.UTC)
    [refusal] = await AidRefusal.insert(
        AidRefusal(
            application_id=7002,
            ref_no="FY00007002",
            applicant_id=city.ids[Caller.RESIDENT],
            district=GX,
            status="objected" if objected else "refused",
            refused_at=now,
            object_by=now + dt.timedelta(days=15),
            objection="不服" if objected else None,
            objected_at=now if objected else None,
            review_due_at=now + dt.timedelta(days=7) if objected else None,
        )
    )
    return Target(path=G07, owner=Caller.RESIDENT, ids={"refusal_id": refusal["id"]})


async def _objected(city: City, caller: Caller) -> Target:
    return await _refused(city, caller, objected=True)


async def _not_yet_objected(city: City, caller: Caller) -> Target:
    return await _refused(city, caller)


def _on_refusal(body: object) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(path_params={"refusal_id": target.ids["refusal_id"]}, json=body)

    return request


def _in_two_days() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()


ROWS = [
    Row("GET", f"{APP}/cases/mine", {"-": _assigned}, {"-": each(SIGNED_IN, 200)}, no_request),
    _row("GET", f"{APP}/cases/centre", _granted, each(SUPERVISORS, 200), _in_gx, denied=403),
    _row(
        "GET",
        CASE,
        _assigned,
        each((Caller.RESIDENT, Caller.LAWYER, *SUPERVISORS), 200),
        path_ids("case_id"),
    ),
    _row(
        "POST",
        f"{CASE}/lawyer",
        _granted,
        {**each(SUPERVISORS, 200), Caller.RESIDENT: 403},
        _on(lambda city: {"lawyer_id": city.ids[Caller.LAWYER]}),
    ),
    _row(
        "POST",
        f"{CASE}/conflicts",
        _assigned,
        {**each((Caller.LAWYER, *SUPERVISORS), 200), Caller.RESIDENT: 403},
        _on(lambda city: {"lawyer_id": city.ids[Caller.LAWYER], "reason": "代理对方当事人"}),
    ),
    _row(
        "POST",
        f"{CASE}/notes",
        _assigned,
        {Caller.LAWYER: 201, **each(NOT_LAWYER, 403)},
        _on({"text": "已与对方沟通"}),
    ),
    _row(
        "POST",
        f"{CASE}/hearings",
        _assigned,
        {Caller.LAWYER: 201, **each(NOT_LAWYER, 403)},
        _on(lambda city: {"starts_at": _in_two_days(), "court": "高新区人民法院"}),
    ),
    _row(
        "POST",
        f"{CASE}/close-out",
        _assigned,
        {Caller.LAWYER: 200, **each(NOT_LAWYER, 403)},
        _on({"result": "won", "summary": "仲裁裁决支持全部请求"}),
    ),
    _row(
        "POST",
        f"{CASE}/review",
        _reviewing,
        {**each(SUPERVISORS, 200), **each((Caller.RESIDENT, Caller.LAWYER), 403)},
        _on({"accept": True}),
    ),
    _row(
        "POST",
        f"{CASE}/rating",
        _closed,
        {Caller.RESIDENT: 200, **each((Caller.LAWYER, *SUPERVISORS), 403)},
        _on({"stars": 5}),
    ),
    Row(
        "GET",
        f"{APP}/refusals/mine",
        {"-": _objected},
        {"-": each(SIGNED_IN, 200)},
        no_request,
        after=_tidy,
    ),
    _row(
        "GET", f"{APP}/refusals/objections", _objected, each(SUPERVISORS, 200), _in_gx, denied=403
    ),
    _row(
        "GET",
        REFUSAL,
        _objected,
        each((Caller.RESIDENT, *SUPERVISORS), 200),
        path_ids("refusal_id"),
    ),
    _row(
        "POST",
        f"{REFUSAL}/objection",
        _not_yet_objected,
        {Caller.RESIDENT: 200, **each(SUPERVISORS, 403)},
        _on_refusal({"reason": "不服不予援助的决定"}),
    ),
    _row(
        "POST",
        f"{REFUSAL}/review",
        _objected,
        {**each(SUPERVISORS, 200), Caller.RESIDENT: 403},
        _on_refusal({"uphold": True, "note": "维持原决定"}),
    ),
]
