"""Staff actions over HTTP: a case from 受理 to 送达 across a street and its district, each
action writing exactly one status, audit and outbox row (issue test 9, staff half); two
claims at once (issue test 8); and each refusal (403, 409, 412, 400, 422) changing nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from backend.kernel.workdays import work_calendar
from miniapps.gov_services.dates import city_date
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.staff_support import (
    G07,
    Published,
    case,
    counts,
    published,
    submitted,
)

WORK = "/v1/miniapps/gov_services/work"
STREET_OFFICER = "13800000019"  # zz/gx/fengyang
DISTRICT_OFFICER = "13800000020"  # zz/gx
APPROVER = "13800000021"  # zz/gx
JINSHUI_OFFICER = "13800000022"


class Desk:
    """Acting on cases as the demo officers."""

    def __init__(self, client: Client, token_for_phone: TokenForPhone) -> None:
        self.client = client
        self.token_for_phone = token_for_phone

    async def act(
        self,
        phone: str,
        case_id: int,
        action: str,
        body: Any = None,
        *,
        if_match: str | None = None,
    ) -> Any:
        headers = bearer(await self.token_for_phone(phone))
        if if_match is not None:
            headers["If-Match"] = if_match
        return await self.client.post(f"{WORK}/{case_id}/{action}", json=body, headers=headers)


@pytest.fixture
def desk(client: Client, token_for_phone: TokenForPhone) -> Desk:
    return Desk(client, token_for_phone)


@pytest.fixture
async def residence() -> Published:
    return await published(
        "residence_permit_apply"
    )  # 受理 and 审核 at the street, 决定 at the district


async def test_a_case_runs_from_acceptance_to_delivery(desk: Desk, residence: Published) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    steps = [
        (STREET_OFFICER, "claim", None, "submitted", "accept", "zz/gx/fengyang"),
        (STREET_OFFICER, "accept", {"note": "材料齐全"}, "in_progress", "review", "zz/gx/fengyang"),
        (STREET_OFFICER, "advance", {}, "in_progress", "decide", "zz/gx"),
        (
            DISTRICT_OFFICER,
            "decide",
            {"outcome": "approved"},
            "decided",
            "deliver",
            "zz/gx/fengyang",
        ),
        (STREET_OFFICER, "deliver", {"method": "window"}, "delivered", "deliver", "zz/gx/fengyang"),
    ]
    version = 0
    for phone, action, body, status, step, org in steps:
        before = await counts()
        response = await desk.act(phone, case_id, action, body, if_match=f'"{version}"')
        assert response.status_code == 200, (action, response.text)
        view = response.json()
        assert (view["status"], view["step"], view["assignee_org"]) == (status, step, org), action
        assert response.headers["etag"] == f'"{view["version"]}"'
        assert view["version"] == version + 1
        version = view["version"]
        after = await counts()
        assert tuple(a - b for a, b in zip(after, before, strict=True)) == (1, 1, 1), action
    assert [entry["action"] for entry in view["history"]] == [s[1] for s in steps]
    assert view["allowed_actions"] == []


async def test_acceptance_starts_the_clock_and_the_claim_follows_its_holder(
    desk: Desk, residence: Published
) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    await desk.act(STREET_OFFICER, case_id, "claim")
    accepted = (await desk.act(STREET_OFFICER, case_id, "accept", {})).json()
    calendar = await work_calendar()
    today = city_date(dt.datetime.fromisoformat(accepted["accepted_at"]))
    expected = calendar.add_working_days(today, residence.document.promised_limit_wd)
    assert accepted["due_date"] == expected.date.isoformat()
    assert accepted["due_provisional"] is expected.provisional
    assert accepted["claimed_by"] is not None  # 审核 is at the same street, by the same role
    moved_on = (await desk.act(STREET_OFFICER, case_id, "advance", {})).json()
    assert moved_on["claimed_by"] is None  # 决定 is the district's to claim
    assert moved_on["due_date"] == accepted["due_date"]


async def _refused(
    desk: Desk, case_id: int, phone: str, action: str, body: Any, if_match: str | None
) -> Any:
    before_counts, before_row = await counts(), await case(case_id)
    response = await desk.act(phone, case_id, action, body, if_match=if_match)
    assert await counts() == before_counts
    assert await case(case_id) == before_row
    return response


@pytest.mark.parametrize(
    ("phone", "action", "body", "if_match", "status", "code"),
    [
        (JINSHUI_OFFICER, "accept", {}, None, 403, "application_outside_scope"),
        (DISTRICT_OFFICER, "claim", None, '"9"', 412, "application_changed"),
        (STREET_OFFICER, "accept", {}, '"1"', 412, "application_changed"),
        (STREET_OFFICER, "accept", {}, "v1", 400, "application_if_match_invalid"),
        (STREET_OFFICER, "advance", {}, None, 409, "application_action_illegal"),
        (
            STREET_OFFICER,
            "decide",
            {"outcome": "approved"},
            None,
            409,
            "application_action_illegal",
        ),
        (STREET_OFFICER, "deliver", {"method": "mail"}, None, 409, "application_action_illegal"),
        (STREET_OFFICER, "release", None, None, 409, "application_action_illegal"),
        (STREET_OFFICER, "extend", {"reason": "调查"}, None, 403, "application_outside_scope"),
        (APPROVER, "extend", {"reason": "调查"}, None, 409, "application_action_illegal"),
        (
            STREET_OFFICER,
            "return-for-supplement",
            {},
            None,
            422,
            "application_supplement_list_invalid",
        ),
        (
            STREET_OFFICER,
            "return-for-supplement",
            {"fields": [{"field": "no_such_field"}], "materials": [{"code": "photo"}]},
            None,
            422,
            "application_supplement_list_invalid",
        ),
        (STREET_OFFICER, "reject", {"reason_code": "other", "text": " "}, None, 400, None),
        (STREET_OFFICER, "reject", {"reason_code": "whim", "text": "不符"}, None, 400, None),
        (STREET_OFFICER, "accept", {"note": "x", "extra": 1}, None, 400, None),
    ],
)
async def test_a_refused_action_changes_nothing(
    desk: Desk,
    residence: Published,
    phone: str,
    action: str,
    body: Any,
    if_match: str | None,
    status: int,
    code: str | None,
) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    response = await _refused(desk, case_id, phone, action, body, if_match)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code


async def test_an_illegal_action_names_the_ones_allowed(desk: Desk, residence: Published) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    response = await _refused(desk, case_id, STREET_OFFICER, "advance", {}, None)
    problem = response.json()
    assert (problem["application_status"], problem["step"], problem["action"]) == (
        "submitted",
        "accept",
        "advance",
    )
    assert problem["allowed_actions"] == ["claim", "accept", "return_for_supplement", "reject"]


async def test_a_case_claimed_by_one_officer_is_not_anothers_to_act_on(
    desk: Desk, residence: Published
) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    assert (await desk.act(DISTRICT_OFFICER, case_id, "claim")).status_code == 200
    for action, body in (("accept", {}), ("claim", None), ("release", None)):
        response = await _refused(desk, case_id, STREET_OFFICER, action, body, '"1"')
        assert response.status_code == 409, action
        assert response.json()["code"] == "application_claimed"
    assert (await desk.act(DISTRICT_OFFICER, case_id, "release")).status_code == 200
    assert (await desk.act(STREET_OFFICER, case_id, "accept", {})).status_code == 200


@pytest.mark.parametrize("if_match", [None, '"0"'], ids=["unconditional", "if-match"])
async def test_of_two_claims_at_once_one_wins_and_the_other_is_told_it_is_claimed(
    desk: Desk, residence: Published, if_match: str | None
) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    before = await counts()
    responses = await asyncio.gather(
        desk.act(STREET_OFFICER, case_id, "claim", if_match=if_match),
        desk.act(DISTRICT_OFFICER, case_id, "claim", if_match=if_match),
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "application_claimed"
    winner = next(r for r in responses if r.status_code == 200)
    assert (await case(case_id))["claimed_by"] == winner.json()["claimed_by"]
    assert tuple(a - b for a, b in zip(await counts(), before, strict=True)) == (1, 1, 1)


async def test_one_extension_by_an_approver(desk: Desk) -> None:
    item = await published("minimum_living_allowance")  # 30 WD, one extension of 15
    case_id = await submitted(item, applicant_id=1, place=G07)
    accepted = (await desk.act(STREET_OFFICER, case_id, "accept", {})).json()
    response = await _refused(desk, case_id, STREET_OFFICER, "extend", {"reason": "入户调查"}, None)
    assert (response.status_code, response.json()["code"]) == (403, "application_outside_scope")
    extended = await desk.act(APPROVER, case_id, "extend", {"reason": "入户调查需要更多时间"})
    assert extended.status_code == 200, extended.text
    calendar = await work_calendar()
    due = dt.date.fromisoformat(accepted["due_date"])
    assert extended.json()["due_date"] == calendar.add_working_days(due, 15).date.isoformat()
    assert extended.json()["extended"] is True
    again = await _refused(desk, case_id, APPROVER, "extend", {"reason": "再次延期"}, None)
    assert (again.status_code, again.json()["code"]) == (409, "application_extended_already")


async def test_an_item_without_extension_cannot_be_extended(
    desk: Desk, residence: Published
) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    await desk.act(STREET_OFFICER, case_id, "accept", {})
    response = await _refused(desk, case_id, APPROVER, "extend", {"reason": "调查"}, None)
    assert (response.status_code, response.json()["code"]) == (409, "application_no_extension")


async def test_rejection_closes_the_case_with_its_reason(desk: Desk, residence: Published) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    body = {"reason_code": "not_eligible", "text": "未满居住半年"}
    view = (await desk.act(STREET_OFFICER, case_id, "reject", body)).json()
    assert view["status"] == "rejected"
    assert view["history"][-1]["reason"] == "未满居住半年"
    assert view["history"][-1]["detail"] == {"reason_code": "not_eligible"}
    assert (await desk.act(STREET_OFFICER, case_id, "accept", {})).status_code == 409


async def test_a_case_outside_the_callers_org_cannot_be_read(
    client: Client, token_for_phone: TokenForPhone, residence: Published
) -> None:
    case_id = await submitted(residence, applicant_id=1, place=G07)
    outside = await client.get(
        f"{WORK}/{case_id}", headers=bearer(await token_for_phone(JINSHUI_OFFICER))
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "application_outside_scope")
    inside = await client.get(
        f"{WORK}/{case_id}", headers=bearer(await token_for_phone(STREET_OFFICER))
    )
    assert inside.status_code == 200
    assert inside.json()["allowed_actions"] == [
        "claim",
        "accept",
        "return_for_supplement",
        "reject",
    ]
    missing = await client.get(
        f"{WORK}/999999", headers=bearer(await token_for_phone(STREET_OFFICER))
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "application_not_found")
