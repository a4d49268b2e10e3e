"""Rows for legal services. The district's admins (and the platform's) keep its directory
and read its report; anyone signed in sees its stations. A resident asks; their question is
seen by them, its lawyer (or, while it waits in a pool, that station's lawyers) and the
district's supervisors, and by nobody else, who is told it does not exist. Only the asker
and the lawyer write in it, only the asker rates it, only a lawyer of the pool takes it."""

from __future__ import annotations

import datetime as dt

from miniapps.legal_aid.tables import (
    Attachment,
    Consultation,
    ConsultMessage,
    Lawyer,
    Shift,
    Station,
)
from tests.authz.city import City, png
from tests.authz.matrix import (
    G07,
    GX,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    json_body,
    no_request,
    path_ids,
)

APP = "/v1/miniapps/legal_aid"
SUPERVISORS = (Caller.DISTRICT_GX, Caller.PLATFORM)
# Homed at the city, in no district: their questions have no district's lawyers to go to.
HOMED_AT_THE_CITY = (Caller.PLATFORM, Caller.DEVELOPER, Caller.SERVICE_ADMIN)
CONSULTATION = f"{APP}/consultations/{{consultation_id:int}}"


async def _tidy(city: City) -> None:
    for table in (Attachment, ConsultMessage, Consultation, Shift, Lawyer, Station):
        await table.delete(force=True)


async def _station(city: City, caller: Caller) -> Target:
    await _tidy(city)
    [station] = await Station.insert(
        Station(
            name="高新区法律援助中心",
            kind="centre",
            org_path=GX,
            district=GX,
            created_by=city.ids[Caller.DISTRICT_GX],
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    return Target(path=GX, ids={"station_id": station["id"]})


async def _listed(city: City, caller: Caller) -> Target:
    """The demo lawyer listed at the district's centre, off duty."""
    target = await _station(city, caller)
    [lawyer] = await Lawyer.insert(
        Lawyer(
            user_id=city.ids[Caller.LAWYER],
            station_id=target.ids["station_id"],
            district=GX,
            specialities="labour",
            listed_by=city.ids[Caller.DISTRICT_GX],
            listed_at=dt.datetime.now(dt.UTC),
        )
    )
    return Target(path=GX, ids={**target.ids, "lawyer_id": lawyer["id"]})


async def _on_duty(city: City, caller: Caller) -> Target:
    target = await _listed(city, caller)
    now = dt.datetime.now(dt.UTC)
    await Shift.insert(
        Shift(
            lawyer_id=target.ids["lawyer_id"],
            district=GX,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=8),
            set_by=city.ids[Caller.DISTRICT_GX],
        )
    )
    return target


async def _question(city: City, caller: Caller, *, lawyer: bool, answered: bool) -> Target:
    """The g07 resident's question: routed to the demo lawyer, or waiting in the pool of
    the centre they are listed at; answered by them if `answered`."""
    target = await _listed(city, caller)
    now = dt.datetime.now(dt.UTC)
    [row] = await Consultation.insert(
        Consultation(
            asker_id=city.ids[Caller.RESIDENT],
            district=GX,
            category="labour",
            question="公司拖欠工资三个月怎么办?",
            station_id=target.ids["station_id"],
            lawyer_id=city.ids[Caller.LAWYER] if lawyer else None,
            status="answered" if answered else "waiting",
            asked_at=now,
            answer_due_at=now + dt.timedelta(hours=4),
            answered_at=now if answered else None,
        )
    )
    if answered:
        await ConsultMessage.insert(
            ConsultMessage(
                consultation_id=row["id"],
                author_id=city.ids[Caller.LAWYER],
                by_lawyer=True,
                text="可以申请劳动仲裁",
                at=now,
            )
        )
    return Target(path=G07, owner=Caller.RESIDENT, ids={"consultation_id": row["id"]})


async def _routed(city: City, caller: Caller) -> Target:
    return await _question(city, caller, lawyer=True, answered=False)


async def _pooled(city: City, caller: Caller) -> Target:
    return await _question(city, caller, lawyer=False, answered=False)


async def _answered(city: City, caller: Caller) -> Target:
    return await _question(city, caller, lawyer=True, answered=True)


async def _attached(city: City, caller: Caller) -> Target:
    """The routed question with a photo its asker attached."""
    target = await _routed(city, caller)
    sent = await city.send(
        Caller.RESIDENT,
        "POST",
        f"{APP}/consultations/{{consultation_id}}/attachments",
        _photo_req(target),
    )
    assert sent.status_code == 201, sent.text
    return Target(
        path=target.path,
        owner=target.owner,
        ids={**target.ids, "attachment_id": sent.json()["attachment_id"]},
    )


async def _attached_elsewhere(city: City, caller: Caller) -> Target:
    """That photo asked for under another question of the same asker, routed alike."""
    target = await _attached(city, caller)
    [row] = await Consultation.select().where(Consultation.id == target.ids["consultation_id"])
    del row["id"]
    [other] = await Consultation.insert(Consultation(**row))
    return Target(path=target.path, ids={**target.ids, "consultation_id": other["id"]})


def _photo_req(target: Target) -> Req:
    return Req(
        path_params={"consultation_id": target.ids["consultation_id"]},
        content=png(),
        headers={"Content-Type": "image/png"},
    )


async def _photo(city: City, target: Target, caller: Caller) -> Req:
    return _photo_req(target)


async def _shift(city: City, target: Target, caller: Caller) -> Req:
    now = dt.datetime.now(dt.UTC)
    return Req(
        path_params={"lawyer_id": target.ids["lawyer_id"]},
        json={
            "starts_at": now.isoformat(),
            "ends_at": (now + dt.timedelta(hours=8)).isoformat(),
        },
    )


async def _lawyer(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"station_id": target.ids["station_id"]},
        json={"user_id": city.ids[Caller.LAWYER], "specialities": ["labour"]},
    )


async def _said(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"consultation_id": target.ids["consultation_id"]}, json={"text": "好"})


async def _stars(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"consultation_id": target.ids["consultation_id"]}, json={"stars": 5})


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


ROWS = [
    _row(
        "POST",
        f"{APP}/stations",
        _station,
        each(SUPERVISORS, 201),
        json_body(lambda t: {"name": "高新区法律服务站", "kind": "station", "org_path": GX}),
        denied=403,
    ),
    Row("GET", f"{APP}/stations", NOTHING, {"-": each(SIGNED_IN, 200)}, _in_gx),
    _row(
        "POST",
        f"{APP}/stations/{{station_id:int}}/lawyers",
        _station,
        each(SUPERVISORS, 201),
        _lawyer,
        denied=403,
    ),
    _row(
        "GET",
        f"{APP}/stations/{{station_id:int}}/lawyers",
        _listed,
        each(SUPERVISORS, 200),
        path_ids("station_id"),
        denied=403,
    ),
    _row(
        "POST",
        f"{APP}/lawyers/{{lawyer_id:int}}/shifts",
        _listed,
        each(SUPERVISORS, 201),
        _shift,
        denied=403,
    ),
    _row(
        "POST",
        f"{APP}/consultations",
        _on_duty,
        {**each(SIGNED_IN, 201), **each(HOMED_AT_THE_CITY, 422)},
        json_body(lambda t: {"category": "labour", "question": "公司拖欠工资三个月怎么办?"}),
    ),
    Row("GET", f"{APP}/consultations/mine", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "GET",
        f"{APP}/consultations/queue",
        {"-": _routed},
        {"-": each((Caller.LAWYER, Caller.LEGAL_WORKER), 200)},
        no_request,
        after=_tidy,
    ),
    Row(
        "GET",
        CONSULTATION,
        {"routed to the lawyer": _routed, "in the lawyer's pool": _pooled},
        {
            "routed to the lawyer": each((Caller.RESIDENT, Caller.LAWYER, *SUPERVISORS), 200),
            "in the lawyer's pool": each((Caller.RESIDENT, Caller.LAWYER, *SUPERVISORS), 200),
        },
        path_ids("consultation_id"),
        denied=404,
        after=_tidy,
    ),
    _row(
        "POST",
        f"{CONSULTATION}/messages",
        _routed,
        {**each((Caller.RESIDENT, Caller.LAWYER), 201), **each(SUPERVISORS, 403)},
        _said,
    ),
    _row(
        "POST",
        f"{CONSULTATION}/take",
        _pooled,
        # A legal worker passes the role's guard, and is listed at no station.
        {Caller.LAWYER: 200, Caller.LEGAL_WORKER: 404},
        path_ids("consultation_id"),
        denied=403,
    ),
    _row(
        "POST",
        f"{CONSULTATION}/rating",
        _answered,
        {Caller.RESIDENT: 200, **each((Caller.LAWYER, *SUPERVISORS), 403)},
        _stars,
    ),
    _row(
        "POST",
        f"{CONSULTATION}/attachments",
        _routed,
        {Caller.RESIDENT: 201, **each((Caller.LAWYER, *SUPERVISORS), 403)},
        _photo,
    ),
    Row(
        "GET",
        f"{CONSULTATION}/attachments/{{attachment_id:int}}",
        {"its question": _attached, "another question": _attached_elsewhere},
        {
            "its question": each((Caller.RESIDENT, Caller.LAWYER, *SUPERVISORS), 200),
            "another question": {},
        },
        path_ids("consultation_id", "attachment_id"),
        denied=404,
        after=_tidy,
    ),
    _row("GET", f"{APP}/legal-report", _station, each(SUPERVISORS, 200), _in_gx, denied=403),
]
