"""The worklist: a street officer sees their street, a district officer every unit of the
district, another district nothing (issue test 8); soonest due first, a page at a time,
with the item, due-soon and overdue filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from backend.kernel.roles import Role
from miniapps.gov_services.dates import city_date, overdue_from
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application
from miniapps.gov_services.worklist import DISTRICT, STREET, Branch, branches_of, work_page
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.staff_support import (
    G07,
    JINSHUI_G01,
    claims,
    published,
    submitted,
)

WORK = "/v1/miniapps/gov_services/work"
STREET_OFFICER = "13800000019"  # zz/gx/fengyang
DISTRICT_OFFICER = "13800000020"  # zz/gx
APPROVER = "13800000021"  # zz/gx, service_approver only
JINSHUI_OFFICER = "13800000022"  # zz/jinshui
RESIDENT = "13800000001"


async def _city() -> dict[str, int]:
    """Cases at the fengyang street, the gx district office, another gx street, a street
    whose path starts like fengyang's, and a jinshui street."""
    street_item = await published("residence_permit_apply")  # accepted at the street
    district_item = await published("birth_medical_certificate")  # at the district
    return {
        "fengyang": await submitted(street_item, applicant_id=1, place=G07),
        "gx": await submitted(district_item, applicant_id=1, place=G07),
        "xicheng": await submitted(street_item, applicant_id=2, place="zz/gx/xicheng/c01/g01"),
        "fengyangx": await submitted(street_item, applicant_id=2, place="zz/gx/fengyangx/c01"),
        "jinshui": await submitted(street_item, applicant_id=3, place=JINSHUI_G01),
    }


async def _ids(client: Client, token: str, **params: Any) -> list[int]:
    """Every case of the caller's worklist, walked one page at a time by its cursor."""
    found: list[int] = []
    cursor = None
    while True:
        query = {**params, "limit": 1, **({"cursor": cursor} if cursor else {})}
        response = await client.get(WORK, params=query, headers=bearer(token))
        assert response.status_code == 200, response.text
        page = response.json()
        found += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


async def test_each_officer_sees_the_cases_of_their_own_subtree(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    cases = await _city()
    seen = {
        phone: set(await _ids(client, await token_for_phone(phone)))
        for phone in (STREET_OFFICER, DISTRICT_OFFICER, JINSHUI_OFFICER, APPROVER)
    }
    assert seen[STREET_OFFICER] == {cases["fengyang"]}
    assert seen[DISTRICT_OFFICER] == {cases[k] for k in ("fengyang", "gx", "xicheng", "fengyangx")}
    assert seen[JINSHUI_OFFICER] == {cases["jinshui"]}
    assert seen[APPROVER] == set()  # no step of these items is an approver's


async def test_another_district_sees_nothing_and_a_resident_is_refused(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    item = await published("residence_permit_apply")
    for n in range(3):
        await submitted(item, applicant_id=n + 1, place=G07)
    assert await _ids(client, await token_for_phone(JINSHUI_OFFICER)) == []
    response = await client.get(WORK, headers=bearer(await token_for_phone(RESIDENT)))
    assert response.status_code == 403


async def _due(application_id: int, due_at: dt.datetime | None, status: Status) -> None:
    await Application.update({Application.due_at: due_at, Application.status: status}).where(
        Application.id == application_id
    )


async def test_soonest_due_first_then_those_not_yet_accepted(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    item = await published("residence_permit_apply")
    ids = [await submitted(item, applicant_id=1, place=G07) for _ in range(7)]
    today = city_date(dt.datetime.now(dt.UTC))
    dues = {ids[0]: 9, ids[2]: 1, ids[3]: 5, ids[5]: 1, ids[6]: 30}
    for case_id, days in dues.items():
        await _due(case_id, overdue_from(today + dt.timedelta(days=days)), Status.IN_PROGRESS)
    expected = [ids[2], ids[5], ids[3], ids[0], ids[6], ids[1], ids[4]]
    assert await _ids(client, await token_for_phone(STREET_OFFICER)) == expected


async def test_cases_the_resident_owes_or_that_are_closed_are_not_work(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    item = await published("residence_permit_apply")
    ids = [await submitted(item, applicant_id=1, place=G07) for _ in range(4)]
    await _due(ids[0], None, Status.SUPPLEMENT)
    await _due(ids[1], None, Status.DELIVERED)
    await _due(ids[2], None, Status.WITHDRAWN)
    assert await _ids(client, await token_for_phone(STREET_OFFICER)) == [ids[3]]


async def test_the_item_due_soon_and_overdue_filters(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    residence = await published("residence_permit_apply")
    other = await published("senior_preferential_card")  # its 受理 is at the community
    now = dt.datetime.now(dt.UTC)
    today = city_date(now)
    overdue = await submitted(residence, applicant_id=1, place=G07)
    due_today = await submitted(residence, applicant_id=1, place=G07)
    due_later = await submitted(residence, applicant_id=1, place=G07)
    not_accepted = await submitted(residence, applicant_id=1, place=G07)
    of_other_item = await submitted(other, applicant_id=1, place=G07)
    await _due(overdue, now - dt.timedelta(hours=1), Status.IN_PROGRESS)
    await _due(due_today, overdue_from(today), Status.IN_PROGRESS)
    await _due(due_later, overdue_from(today + dt.timedelta(days=30)), Status.IN_PROGRESS)
    token = await token_for_phone(DISTRICT_OFFICER)
    by_item = await _ids(client, token, item_id=residence.item_id)
    assert by_item == [overdue, due_today, due_later, not_accepted]
    assert await _ids(client, token, item_id=other.item_id) == [of_other_item]
    assert await _ids(client, token, due="overdue") == [overdue]
    assert await _ids(client, token, due="soon") == [due_today]


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "W10", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsMF0", "e30"]
)
async def test_a_cursor_the_list_never_gave_is_a_400(
    client: Client, token_for_phone: TokenForPhone, cursor: str
) -> None:
    response = await client.get(
        WORK, params={"cursor": cursor}, headers=bearer(await token_for_phone(STREET_OFFICER))
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "cursor_invalid"


async def test_a_scope_is_read_as_index_ranges_of_its_district_or_street(demo: None) -> None:
    officer = Role.SERVICE_OFFICER
    city = await branches_of(claims(9, service_officer="zz"))
    assert city == [
        Branch(officer, DISTRICT, "zz"),
        Branch(officer, DISTRICT, "zz/gx"),
        Branch(officer, DISTRICT, "zz/jinshui"),
    ]
    nested = claims(9, service_officer="zz/gx")
    nested = msgspec.structs.replace(nested, scope={"service_officer": ["zz/gx/fengyang", "zz/gx"]})
    assert await branches_of(nested) == [Branch(officer, DISTRICT, "zz/gx")]
    community = await branches_of(claims(9, service_officer="zz/gx/fengyang/c03"))
    assert community == [Branch(officer, STREET, "zz/gx/fengyang", within="zz/gx/fengyang/c03")]
    assert await branches_of(claims(9, grid_worker="zz/gx/fengyang/c03/g07")) == []


async def test_a_city_wide_officer_sees_every_district(demo: None) -> None:
    cases = await _city()
    page = await work_page(
        actor=claims(9, service_officer="zz"), item_id=None, due=None, cursor=None, limit=20
    )
    assert {item.id for item in page.items} == set(cases.values())
