"""Loading a year of the working-day calendar from the State Council's notice: who may, what
is refused, and what a load writes and changes for deadlines."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec

from backend.directory.users.tables import AuditEntry
from backend.kernel.db import json_value
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.roles import Role
from backend.kernel.workdays import work_calendar
from backend.kernel.workdays.tables import WorkCalendarDay
from tests.conftest import Client, TokenFor, bearer

D = dt.date
YEAR = "/v1/calendar/years/{}"
# A notice for a year that has none yet: 元旦 on a Tuesday with the Monday before bridged,
# and 国庆节 over 1–7 October with two weekends worked.
NOTICE_2030 = {
    "source": "国办发明电〔2029〕1号",
    "days": [
        {"date": "2029-12-31", "is_workday": False, "name": "元旦"},
        {"date": "2030-01-01", "is_workday": False, "name": "元旦"},
        *({"date": f"2030-10-0{d}", "is_workday": False, "name": "国庆节"} for d in range(1, 8)),
        {"date": "2030-09-29", "is_workday": True, "name": "国庆节"},
        {"date": "2030-10-12", "is_workday": True, "name": "国庆节"},
    ],
}


def _notice(**changes: Any) -> dict[str, Any]:
    return {**NOTICE_2030, **changes}


async def _counts() -> tuple[int, int, int]:
    return await WorkCalendarDay.count(), await AuditEntry.count(), await OutboxEvent.count()


async def test_a_service_admin_loads_a_year_and_deadlines_count_on_it(
    client: Client, token_for: TokenFor
) -> None:
    before = await work_calendar()
    assert before.add_working_days(D(2030, 9, 30), 7) == (D(2030, 10, 9), True)
    notice = _notice(days=NOTICE_2030["days"][1:])  # the 2029 day belongs to another year
    response = await client.put(
        YEAR.format(2030), json=notice, headers=bearer(await token_for(Role.SERVICE_ADMIN))
    )
    assert response.status_code == 200, response.text
    year = response.json()
    assert (year["year"], year["confirmed"], year["source"]) == (2030, True, notice["source"])
    assert len(year["days"]) == 10
    assert await WorkCalendarDay.count().where(WorkCalendarDay.date >= D(2030, 1, 1)) == 365
    after = await work_calendar()  # this process counts on the new year at once
    # 10-01…07 off; 10-08, 09, 10, 11, 12 (补班 Saturday), 14, 15.
    assert after.add_working_days(D(2030, 9, 30), 7) == (D(2030, 10, 15), False)
    assert after.is_workday(D(2030, 9, 29))
    assert not after.is_workday(D(2030, 10, 13))


async def test_a_load_is_audited_and_announced(client: Client, token_for: TokenFor) -> None:
    notice = _notice(days=NOTICE_2030["days"][1:])
    token = await token_for(Role.PLATFORM_ADMIN)
    assert (await client.put(YEAR.format(2030), json=notice, headers=bearer(token))).is_success
    [entry] = await AuditEntry.select().where(AuditEntry.action == "calendar.year_loaded")
    assert (entry["subject_id"], json_value(entry["detail"])) == (
        None,
        {"year": 2030, "source": notice["source"]},
    )
    [event] = await OutboxEvent.select().where(OutboxEvent.name == "calendar.year_loaded")
    assert msgspec.json.decode(event["payload"]) == {"year": 2030}


async def test_loading_a_year_again_replaces_it(client: Client, token_for: TokenFor) -> None:
    token = bearer(await token_for(Role.SERVICE_ADMIN))
    first = _notice(days=NOTICE_2030["days"][1:])
    assert (await client.put(YEAR.format(2030), json=first, headers=token)).is_success
    corrected = {"source": "国办发明电〔2029〕2号", "days": NOTICE_2030["days"][1:2]}
    response = await client.put(YEAR.format(2030), json=corrected, headers=token)
    assert [d["date"] for d in response.json()["days"]] == ["2030-01-01"]
    assert await WorkCalendarDay.count().where(WorkCalendarDay.date >= D(2030, 1, 1)) == 365
    assert (await work_calendar()).is_workday(D(2030, 10, 2))
    got = await client.get(YEAR.format(2030), headers=token)
    assert got.json() == response.json()


async def test_a_faulty_notice_names_every_fault_and_changes_nothing(
    client: Client, token_for: TokenFor
) -> None:
    days = [
        {"date": "2030-01-01", "is_workday": False, "name": "元旦"},
        {"date": "2031-01-01", "is_workday": False, "name": "元旦"},  # another year
        {"date": "2030-01-01", "is_workday": False, "name": "元旦"},  # twice
        {"date": "2030-10-08", "is_workday": True, "name": "国庆节"},  # a Tuesday
        {"date": "2029-12-31", "is_workday": False, "name": "元旦"},  # the year before
    ]
    token = bearer(await token_for(Role.SERVICE_ADMIN))
    before = await _counts()
    response = await client.put(YEAR.format(2030), json=_notice(days=days), headers=token)
    assert (response.status_code, response.json()["code"]) == (422, "calendar_notice_invalid")
    assert [e["field"] for e in response.json()["errors"]] == [
        "days[1].date",
        "days[2].date",
        "days[3].is_workday",
        "days[4].date",
    ]
    assert await _counts() == before
    assert not (await work_calendar()).is_confirmed(2030)


async def test_a_malformed_date_is_refused_naming_it(client: Client, token_for: TokenFor) -> None:
    days = [{"date": "2030-02-30", "is_workday": False, "name": "春节"}]
    token = bearer(await token_for(Role.SERVICE_ADMIN))
    response = await client.put(YEAR.format(2030), json=_notice(days=days), headers=token)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["days[0].date"]


async def test_only_the_catalogue_and_platform_admins_load_a_year(
    client: Client, token_for: TokenFor
) -> None:
    before = await _counts()
    for role in (Role.RESIDENT, Role.DISTRICT_ADMIN, Role.SERVICE_OFFICER):
        token = bearer(await token_for(role))
        response = await client.put(YEAR.format(2026), json=NOTICE_2030, headers=token)
        assert (response.status_code, response.json()["code"]) == (403, "forbidden"), role
        assert (await client.get(YEAR.format(2026), headers=token)).status_code == 200
    assert (await client.put(YEAR.format(2026), json=NOTICE_2030)).status_code == 401
    assert (await client.get(YEAR.format(2026))).status_code == 401
    assert await _counts() == before


async def test_two_loads_of_one_year_at_once_both_land(client: Client, token_for: TokenFor) -> None:
    token = bearer(await token_for(Role.SERVICE_ADMIN))
    notices = [_notice(source=f"第{n}稿", days=NOTICE_2030["days"][1 : 2 + n]) for n in range(1, 4)]
    answers = await asyncio.gather(
        *(client.put(YEAR.format(2030), json=notice, headers=token) for notice in notices)
    )
    assert [a.status_code for a in answers] == [200, 200, 200]
    rows = await WorkCalendarDay.select().where(WorkCalendarDay.date >= D(2030, 1, 1))
    assert len(rows) == 365
    assert len({r["source"] for r in rows}) == 1  # one load's year, never a mix
