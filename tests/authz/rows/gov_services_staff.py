"""Rows for the service engine's staff side. A case is handled by holders of its step's role
over its assignee org: the fengyang street's officer for a step at the street, the gx
district's officer for every step in gx, nobody of jinshui; the gx approver signs off an
extension but takes no step. Anyone else, the officers included, is refused with a 403
(a case's number says nothing a 403 would hide). The resident's answer to a 补正 is the
applicant's alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.kernel.paths import is_within
from backend.kernel.roles import Role
from miniapps.gov_services.dates import overdue_from
from miniapps.gov_services.document import ItemDocument
from miniapps.gov_services.routing import entering, worklist_keys
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application
from tests.authz.city import City
from tests.authz.matrix import (
    G07,
    JINSHUI_G01,
    NOTHING,
    Caller,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    no_request,
    path_ids,
    per_caller,
)
from tests.miniapps.gov_services.staff_support import RESIDENCE_ANSWERS, published, submitted

APP = "/v1/miniapps/gov_services"
WORK = f"{APP}/work/{{application_id:int}}"
STAFF = (
    Caller.OFFICER_FENGYANG,
    Caller.OFFICER_GX,
    Caller.APPROVER_GX,
    Caller.OFFICER_JINSHUI,
)
OF_FENGYANG = (Caller.OFFICER_FENGYANG, Caller.OFFICER_GX)  # a step at the fengyang street
ITEM = "residence_permit_apply"  # 受理, 审核 and 送达 at the street; 决定 at the district


async def _case_at(
    city: City,
    *,
    code: str = ITEM,
    step: str,
    status: Status,
    home: str = G07,
    claimed_by: int | None = None,
    owner: Caller = Caller.RESIDENT,
) -> Target:
    """A case of `owner`, at `step` in `status`, as the actions before would leave it."""
    item = await published(code)
    case_id = await submitted(
        item, applicant_id=city.ids[owner], place=home, answers=RESIDENCE_ANSWERS
    )
    document: ItemDocument = item.document
    at = document.step(step)
    assert at is not None
    columns = entering(document, at, home)
    await Application.update(
        {
            **columns,
            **worklist_keys(columns[Application.assignee_org]),
            Application.status: status,
            Application.claimed_by: claimed_by,
        }
    ).where(Application.id == case_id)
    if status is not Status.SUBMITTED:
        await _accepted(case_id, status)
    return Target(
        path=columns[Application.assignee_org], owner=owner, ids={"application_id": case_id}
    )


async def _accepted(case_id: int, status: Status) -> None:
    """Accepted an hour ago, due in ten days (with no due date while in 补正)."""
    now = dt.datetime.now(dt.UTC)
    due = overdue_from(now.date() + dt.timedelta(days=10))
    running = status is not Status.SUPPLEMENT
    await Application.update(
        {
            Application.accepted_at: now - dt.timedelta(hours=1),
            Application.clock_from: now - dt.timedelta(hours=1) if running else None,
            Application.due_at: due if running else None,
            Application.paused_at: None if running else now - dt.timedelta(minutes=5),
        }
    ).where(Application.id == case_id)


def _at(step: str, status: Status, **given: Any) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        return await _case_at(city, step=step, status=status, **given)

    return make


@per_caller
async def _claimed_by_caller(city: City, caller: Caller) -> Target:
    claimer = city.ids.get(caller)
    return await _case_at(city, step="accept", status=Status.SUBMITTED, claimed_by=claimer)


async def _jinshui_case(city: City, caller: Caller) -> Target:
    return await _case_at(
        city,
        step="accept",
        status=Status.SUBMITTED,
        home=JINSHUI_G01,
        owner=Caller.RESIDENT_JINSHUI,
    )


def _body(body: Any) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(path_params={"application_id": target.ids["application_id"]}, json=body)

    return request


async def _only_own_work(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    """Every case listed lies in the caller's scope for a staff role."""
    held = city.claims[caller].paths_for(Role.SERVICE_OFFICER, Role.SERVICE_APPROVER)
    stray = [
        item["id"]
        for item in response.json()["items"]
        if not any(is_within(item["assignee_org"], path) for path in held)
    ]
    return f"cases outside the caller's scope: {stray}" if stray else None


SUBMITTED_HERE = {"a case waiting for 受理 at fengyang": _at("accept", Status.SUBMITTED)}
IDS = path_ids("application_id")

ROWS = [
    Row(
        "GET",
        f"{APP}/work",
        {**NOTHING, **SUBMITTED_HERE},
        {"-": each(STAFF, 200), "a case waiting for 受理 at fengyang": each(STAFF, 200)},
        no_request,
        check=_only_own_work,
    ),
    Row(
        "GET",
        WORK,
        {**SUBMITTED_HERE, "a jinshui case": _jinshui_case},
        {
            "a case waiting for 受理 at fengyang": each((*OF_FENGYANG, Caller.APPROVER_GX), 200),
            "a jinshui case": {Caller.OFFICER_JINSHUI: 200},
        },
        IDS,
    ),
    Row(
        "POST",
        f"{WORK}/claim",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        IDS,
    ),
    Row(
        "POST",
        f"{WORK}/release",
        {"a case the caller claimed": _claimed_by_caller},
        {"a case the caller claimed": each(OF_FENGYANG, 200)},
        IDS,
    ),
    Row(
        "POST",
        f"{WORK}/accept",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        _body({}),
    ),
    Row(
        "POST",
        f"{WORK}/advance",
        {"a case in 审核 at fengyang": _at("review", Status.IN_PROGRESS)},
        {"a case in 审核 at fengyang": each(OF_FENGYANG, 200)},
        _body({"note": "核查无误"}),
    ),
    Row(
        "POST",
        f"{WORK}/return-for-supplement",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        _body({"fields": [{"field": "employer", "note": "请填写单位全称"}]}),
    ),
    Row(
        "POST",
        f"{WORK}/reject",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        _body({"reason_code": "not_eligible", "text": "居住未满半年"}),
    ),
    Row(
        "POST",
        f"{WORK}/extend",
        {
            "a 低保 case in 调查 at fengyang": _at(
                "investigate", Status.IN_PROGRESS, code="minimum_living_allowance"
            )
        },
        {"a 低保 case in 调查 at fengyang": {Caller.APPROVER_GX: 200}},
        _body({"reason": "入户调查需要更多时间"}),
    ),
    Row(
        "POST",
        f"{WORK}/decide",
        {"a case in 决定 at gx": _at("decide", Status.IN_PROGRESS)},
        {"a case in 决定 at gx": {Caller.OFFICER_GX: 200}},
        _body({"outcome": "approved"}),
    ),
    Row(
        "POST",
        f"{WORK}/deliver",
        {"a decided case at fengyang": _at("deliver", Status.DECIDED)},
        {"a decided case at fengyang": each(OF_FENGYANG, 200)},
        _body({"method": "electronic"}),
    ),
    Row(
        "POST",
        f"{APP}/applications/{{application_id:int}}/supplement",
        {"the g07 resident's case in 补正": _at("review", Status.SUPPLEMENT)},
        {"the g07 resident's case in 补正": {Caller.RESIDENT: 200}},
        _body({"answers": RESIDENCE_ANSWERS}),
    ),
]
