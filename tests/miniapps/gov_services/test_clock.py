"""The clock on the real 2026 calendar (issue test 5), with each action taken at a chosen
instant: counting starts the day after 受理, skips holidays, counts 补班 Saturdays, stands
still during a 补正; and a due date in a year not yet loaded is provisional until the
year's notice arrives (issue test 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.kernel.vault import Vault
from miniapps.gov_services import handling
from miniapps.gov_services.dates import CITY_TIME, last_day
from miniapps.gov_services.staff_schemas import (
    ExtendIn,
    MissingField,
    SupplementIn,
    SupplementRequestIn,
)
from miniapps.gov_services.supplement import answer_supplement, return_for_supplement
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.staff_support import (
    G07,
    RESIDENCE_ANSWERS,
    case,
    claims,
    published,
    submitted,
)
from tests.support import eventually

OFFICER = claims(19, service_officer="zz/gx/fengyang")
APPLICANT = claims(1)


def _local(day: str, hour: int = 10) -> dt.datetime:
    """An instant of `day` (ISO) in the city, as the routes pass `utc_now()`."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), CITY_TIME)


async def _accepted(code: str, day: str, hour: int = 10) -> int:
    item = await published(code)
    case_id = await submitted(item, applicant_id=1, place=G07, answers=RESIDENCE_ANSWERS)
    await handling.accept(
        actor=OFFICER, application_id=case_id, expected_version=None, note="", at=_local(day, hour)
    )
    return case_id


async def _due_date(case_id: int) -> dt.date:
    return last_day((await case(case_id))["due_at"])


@pytest.mark.parametrize(
    ("code", "accepted", "due"),
    [
        # 7 WD from 09-30: 10-01…07 are 国庆, the 补班 Saturday 10-10 counts.
        ("residence_permit_apply", "2026-09-30", "2026-10-15"),
        # 5 WD from 02-13: the 补班 Saturday 02-14 counts, 02-15…23 are 春节.
        ("birth_household_registration", "2026-02-13", "2026-02-27"),
    ],
)
async def test_the_limit_counts_working_days_from_the_day_after_acceptance(
    code: str, accepted: str, due: str
) -> None:
    case_id = await _accepted(code, accepted)
    assert await _due_date(case_id) == dt.date.fromisoformat(due)
    row = await case(case_id)
    assert row["due_provisional"] is False
    assert row["due_at"] == _local(due, 0) + dt.timedelta(days=1)  # overdue from next midnight


async def test_acceptance_late_in_the_evening_counts_from_the_citys_date() -> None:
    """23:30 in Zhengzhou is still 09-30 there, though 15:30 UTC."""
    case_id = await _accepted("residence_permit_apply", "2026-09-30", hour=23)
    assert await _due_date(case_id) == dt.date(2026, 10, 15)


async def test_a_supplement_stops_the_clock_and_its_answer_restarts_it() -> None:
    """Accepted 06-01 for 7 WD; returned 06-03 after 2 WD; answered 06-15: the 5 WD left
    run from 06-16 and skip 端午 (06-19), so it is due 06-23."""
    case_id = await _accepted("residence_permit_apply", "2026-06-01")
    request = SupplementRequestIn(fields=[MissingField(field="employer", note="单位全称")])
    await return_for_supplement(
        actor=OFFICER,
        application_id=case_id,
        expected_version=None,
        data=request,
        at=_local("2026-06-03", 15),
    )
    paused = await case(case_id)
    assert (paused["status"], paused["wd_used"], paused["due_at"]) == ("supplement", 2, None)
    answers = {**RESIDENCE_ANSWERS, "employer": "郑州某科技有限公司高新分公司"}
    await answer_supplement(
        actor=APPLICANT,
        application_id=case_id,
        data=SupplementIn(answers=answers),
        expected_version=None,
        at=_local("2026-06-15", 9),
        locale=None,
    )
    resumed = await case(case_id)
    assert resumed["status"] == "in_progress"
    assert await _due_date(case_id) == dt.date(2026, 6, 23)


async def test_an_extension_moves_the_due_date_by_its_working_days() -> None:
    """最低生活保障: 30 WD from 2026-09-01 is 10-19 (the 补班 Sunday 09-20 and Saturday
    10-10 count, 国庆 does not); 15 WD more is 11-09."""
    case_id = await _accepted("minimum_living_allowance", "2026-09-01")
    assert await _due_date(case_id) == dt.date(2026, 10, 19)
    approver = claims(21, service_approver="zz/gx")
    await handling.extend(
        actor=approver,
        application_id=case_id,
        expected_version=None,
        data=ExtendIn(reason="入户调查"),
    )
    assert await _due_date(case_id) == dt.date(2026, 11, 9)


NEW_YEAR_2027 = {
    "source": "国办发明电〔2026〕X号",
    "days": [
        {"date": "2027-01-01", "is_workday": False, "name": "元旦"},
        {"date": "2027-01-02", "is_workday": False, "name": "元旦"},
        {"date": "2027-01-03", "is_workday": False, "name": "元旦"},
    ],
}


async def test_a_due_date_in_a_year_not_loaded_is_provisional_until_the_year_loads(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """7 WD from Monday 2026-12-28 end in 2027, whose notice is not loaded: Monday to Friday
    count, so 2027-01-01 does and it is due 01-06, provisionally. The notice makes 01-01 a
    holiday: the due date becomes 01-07, no longer provisional."""
    case_id = await _accepted("residence_permit_apply", "2026-12-28")
    row = await case(case_id)
    assert (await _due_date(case_id), row["due_provisional"]) == (dt.date(2027, 1, 6), True)
    response = await client.put(
        "/v1/calendar/years/2027",
        json=NEW_YEAR_2027,
        headers=bearer(await token_for_phone("13800000018")),
    )
    assert response.status_code == 200, response.text

    async def recounted() -> bool:
        return (await case(case_id))["due_provisional"] is False

    await eventually(recounted, what="the provisional due date counted again")
    row = await case(case_id)
    assert await _due_date(case_id) == dt.date(2027, 1, 7)
    assert row["version"] == 2  # accepted, then counted again: an older If-Match is stale
