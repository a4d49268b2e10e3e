"""Rows for the service engine's 好差评: only the applicant rates their own closed case. A
rectification or an appeal belongs to the office that handled the case: its service officers
and approvers, and those of the offices above it, act on it; an appeal is decided by an
approver over the office who did not make it. The aggregates are open to everyone signed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.kernel.paths import is_within
from backend.kernel.roles import Role
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import (
    Application,
    Rating,
    RatingAppeal,
    Rectification,
    ServiceItem,
)
from tests.authz.city import City
from tests.authz.matrix import (
    JINSHUI,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    TargetMaker,
    each,
    no_request,
    path_ids,
)
from tests.miniapps.gov_services.applying_support import add_version, demo_document

APP = "/v1/miniapps/gov_services"
FENGYANG = "zz/gx/fengyang"
# Staff over fengyang's office: its own officer, and the district's officer and approver.
OVER_FENGYANG = (Caller.OFFICER_FENGYANG, Caller.OFFICER_GX, Caller.APPROVER_GX)
STAFF = (*OVER_FENGYANG, Caller.OFFICER_JINSHUI)
REPLY = {"reply": "已整改"}
REVISIT = {"note": "电话回访", "satisfied": True}


async def _closed_case(city: City, *, org: str = FENGYANG) -> dict[str, Any]:
    """A case of the g07 resident, completed by `org`."""
    rows = await Application.insert(
        Application(
            ref_no=f"AZ{city.number():08d}",
            applicant_id=city.ids[Caller.RESIDENT],
            item_id=1,
            item_version_id=1,
            status=Status.DELIVERED,
            assignee_org=org,
            place_path="zz/gx/fengyang/c03/g07",
        )
    ).returning(*Application.all_columns())
    row: dict[str, Any] = rows[0]
    return row


async def _case(city: City, caller: Caller) -> Target:
    case = await _closed_case(city)
    return Target(path=FENGYANG, owner=Caller.RESIDENT, ids={"application_id": case["id"]})


async def _rating(city: City, *, org: str, level: int = 1) -> dict[str, Any]:
    case = await _closed_case(city, org=org)
    rows = await Rating.insert(
        Rating(
            application_id=case["id"],
            applicant_id=case["applicant_id"],
            item_id=1,
            org=org,
            level=level,
        )
    ).returning(*Rating.all_columns())
    row: dict[str, Any] = rows[0]
    return row


def _rated_in(org: str) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        rating = await _rating(city, org=org)
        return Target(path=org, ids={"rating_id": rating["id"]})

    return make


def _rectification_in(org: str, *, complete: bool = False) -> TargetMaker:
    """An open rectification of `org`; `complete`, with its reply and visit on record."""

    async def make(city: City, caller: Caller) -> Target:
        rating = await _rating(city, org=org)
        rated_at = rating["rated_at"]
        rows = await Rectification.insert(
            Rectification(
                rating_id=rating["id"],
                application_id=rating["application_id"],
                org=org,
                status="open",
                due_at=rated_at + dt.timedelta(days=21),
                reply="已整改" if complete else None,
                revisit_note="电话回访" if complete else None,
                revisited_at=rated_at if complete else None,
            )
        ).returning(Rectification.id)
        return Target(path=org, ids={"rectification_id": rows[0]["id"]})

    return make


def _appealed_in(org: str, by: Caller) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        rating = await _rating(city, org=org)
        rows = await RatingAppeal.insert(
            RatingAppeal(
                rating_id=rating["id"],
                org=org,
                reason="恶意差评",
                requested_by=city.ids[by],
                status="pending",
            )
        ).returning(RatingAppeal.id)
        return Target(path=org, ids={"appeal_id": rows[0]["id"]})

    return make


async def _everywhere(city: City, caller: Caller) -> Target:
    """Rectifications and appeals in fengyang and in jinshui, so that a list shows a caller
    what lies outside their offices if it leaks."""
    for org in (FENGYANG, JINSHUI):
        await _rectification_in(org)(city, caller)
        await _appealed_in(org, Caller.OFFICER_FENGYANG)(city, caller)
    return Target()


def _only_within_scope(path: str) -> Any:
    async def check(
        city: City, target: Target, caller: Caller, response: httpx.Response
    ) -> str | None:
        held = city.claims[caller].paths_for(Role.SERVICE_OFFICER, Role.SERVICE_APPROVER)
        shown = [item["org"] for item in response.json()["items"]]
        outside = [org for org in shown if not any(is_within(org, p) for p in held)]
        if outside:
            return f"{path} shows another office's: {outside}"
        return None if shown else f"{path} shows none of the caller's offices"

    return check


async def _item(city: City, caller: Caller) -> Target:
    rows = await ServiceItem.insert(
        ServiceItem(
            code=f"AZ{city.number()}", name="居住证申领", dept="公安", category="户籍", created_by=0
        )
    ).returning(ServiceItem.id)
    await add_version(rows[0]["id"], demo_document("residence_permit_apply"))
    return Target(ids={"item_id": rows[0]["id"]})


async def _zz_gx(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"org": "zz/gx"})


def _step(step: str, body: dict[str, Any] | None) -> Row:
    complete = step == "close"
    fengyang, jinshui = "fengyang rectification", "jinshui rectification"
    return Row(
        "POST",
        f"{APP}/rectifications/{{rectification_id:int}}/{step}",
        {
            fengyang: _rectification_in(FENGYANG, complete=complete),
            jinshui: _rectification_in(JINSHUI, complete=complete),
        },
        {fengyang: each(OVER_FENGYANG, 200), jinshui: {Caller.OFFICER_JINSHUI: 200}},
        _path_and_body("rectification_id", body),
    )


def _path_and_body(name: str, body: dict[str, Any] | None) -> Any:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(path_params={name: target.ids[name]}, json=body)

    return request


ROWS = [
    Row(
        "POST",
        f"{APP}/applications/{{application_id:int}}/rating",
        {"resident's completed case": _case},
        {"resident's completed case": {Caller.RESIDENT: 201}},
        _path_and_body("application_id", {"level": 4}),
    ),
    Row(
        "GET",
        f"{APP}/rectifications",
        {"in fengyang and jinshui": _everywhere},
        {"in fengyang and jinshui": each(STAFF, 200)},
        no_request,
        check=_only_within_scope("the rectifications list"),
    ),
    _step("reply", REPLY),
    _step("revisit", REVISIT),
    _step("close", None),
    Row(
        "POST",
        f"{APP}/ratings/{{rating_id:int}}/appeal",
        {"fengyang rating": _rated_in(FENGYANG), "jinshui rating": _rated_in(JINSHUI)},
        {
            "fengyang rating": each(OVER_FENGYANG, 201),
            "jinshui rating": {Caller.OFFICER_JINSHUI: 201},
        },
        _path_and_body("rating_id", {"reason": "恶意差评"}),
    ),
    Row(
        "GET",
        f"{APP}/rating-appeals",
        {"in fengyang and jinshui": _everywhere},
        {"in fengyang and jinshui": each(STAFF, 200)},
        no_request,
        check=_only_within_scope("the appeals list"),
    ),
    Row(
        "POST",
        f"{APP}/rating-appeals/{{appeal_id:int}}/decision",
        {
            "fengyang appeal by its officer": _appealed_in(FENGYANG, Caller.OFFICER_FENGYANG),
            "fengyang appeal by the approver": _appealed_in(FENGYANG, Caller.APPROVER_GX),
        },
        {
            "fengyang appeal by its officer": {Caller.APPROVER_GX: 200},
            "fengyang appeal by the approver": {},
        },
        _path_and_body("appeal_id", {"uphold": False, "note": "复核维持"}),
    ),
    Row(
        "GET",
        f"{APP}/rating-summaries/items/{{item_id:int}}",
        {"an item": _item},
        {"an item": each(SIGNED_IN, 200)},
        path_ids("item_id"),
    ),
    Row(
        "GET",
        f"{APP}/rating-summaries/orgs",
        NOTHING,
        {"-": each(SIGNED_IN, 200)},
        _zz_gx,
    ),
]
