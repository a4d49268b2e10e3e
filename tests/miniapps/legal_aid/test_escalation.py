"""A question unanswered past its working hours escalates once to its station's head, then
once to the district; two workers sweeping at once tell each person once; an answered
question escalates no more; the clock stops over a public holiday."""

from __future__ import annotations

import asyncio
import datetime as dt

from litestar import Litestar

from backend.kernel.services import services_of
from miniapps.legal_aid.escalation import escalate_overdue
from miniapps.legal_aid.runtime import LegalRuntime
from push.tables import InboxItem
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    ADMIN_JINSHUI,
    APP,
    RESIDENT,
    LegalClock,
    ask,
    listed,
    new_lawyer,
    on_duty,
    someone,
    station,
)
from tests.support import notices_recorded

CITY = dt.timezone(dt.timedelta(hours=8))
ASKED = dt.datetime(2026, 9, 30, 15, 0, tzinfo=CITY)  # Wednesday, the eve of 国庆


async def _told(title: str) -> list[int]:
    await notices_recorded()
    rows = await InboxItem.select(InboxItem.user_id).where(InboxItem.title == title)
    return sorted(r["user_id"] for r in rows)


async def _sweep_twice(app: Litestar) -> int:
    legal = services_of(app).runtime(LegalRuntime)
    done = await asyncio.gather(escalate_overdue(legal), escalate_overdue(legal))
    return sum(done)


async def test_an_unanswered_question_escalates_once_a_step_across_the_holiday(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = LegalClock(app, ASKED)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    head = await new_lawyer(client, token_for_phone, admin, "13900000130")
    desk = await station(client, admin, kind="station", head_id=head.user_id)
    centre_head = await new_lawyer(client, token_for_phone, admin, "13900000131")
    await station(client, admin, kind="centre", head_id=centre_head.user_id)
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000132")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), ASKED)
    resident = await someone(client, token_for_phone, RESIDENT)
    waiting = await ask(client, resident)
    answered = await ask(client, resident)
    # Four working hours: two on 09-30, two from 10-08 09:00, past a week of holiday.
    assert waiting["answer_due_at"] == "2026-10-08T03:00:00Z"
    reply = await client.post(
        f"{APP}/consultations/{answered['id']}/messages",
        json={"text": "请保留考勤记录"},
        headers=lawyer.headers,
    )
    assert reply.status_code == 201, reply.text

    clock.now = dt.datetime(2026, 10, 7, 23, 0, tzinfo=CITY)
    assert await _sweep_twice(app) == 0
    clock.now = dt.datetime(2026, 10, 8, 11, 0, tzinfo=CITY)
    assert await _sweep_twice(app) == 1
    assert await _sweep_twice(app) == 0
    assert await _told("咨询超时未答复") == [head.user_id]
    shown = await client.get(f"{APP}/consultations/{waiting['id']}", headers=resident.headers)
    assert (shown.json()["escalated"], shown.json()["answer_due_at"]) == (
        1,
        "2026-10-08T07:00:00Z",
    )

    clock.now = dt.datetime(2026, 10, 8, 15, 0, tzinfo=CITY)
    assert await _sweep_twice(app) == 1
    assert await _told("咨询超时未答复") == sorted(
        [head.user_id, centre_head.user_id, admin.user_id]
    )
    clock.now = dt.datetime(2026, 10, 30, 15, 0, tzinfo=CITY)
    assert await _sweep_twice(app) == 0  # two steps, then the district has it
    answered_now = await client.get(
        f"{APP}/consultations/{answered['id']}", headers=resident.headers
    )
    assert answered_now.json()["escalated"] == 0


async def test_the_report_counts_what_was_answered_in_time_and_how_well(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = LegalClock(app, dt.datetime(2026, 12, 2, 10, 0, tzinfo=CITY))
    admin = await someone(client, token_for_phone, ADMIN_GX)
    desk = await station(client, admin, kind="station")
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000170")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), clock.now)
    resident = await someone(client, token_for_phone, RESIDENT)
    quick, late, _unanswered = [await ask(client, resident) for _ in range(3)]
    clock.now += dt.timedelta(minutes=30)
    await _answer(client, quick["id"], lawyer.headers)
    rated = await client.post(
        f"{APP}/consultations/{quick['id']}/rating", json={"stars": 4}, headers=resident.headers
    )
    assert rated.status_code == 200
    clock.now = dt.datetime(2026, 12, 2, 14, 30, tzinfo=CITY)  # past the 4 working hours
    assert await _sweep_twice(app) == 2
    await _answer(client, late["id"], lawyer.headers)

    shown = await client.get(
        f"{APP}/legal-report", params={"district": "zz/gx"}, headers=admin.headers
    )
    assert shown.status_code == 200, shown.text
    assert shown.json() == {
        "district": "zz/gx",
        "days": 30,
        "asked": 3,
        "answered": 2,
        "answered_in_time": 1,
        "in_time_rate": 0.333,
        "median_answer_minutes": 150,  # 30 and 270
        "mean_rating": 4.0,
        "mediations_ended": 0,  # no mediation in the district
        "mediations_settled": 0,
        "mediation_success_rate": None,
        "mean_assign_minutes": None,
        "cases_granted": 0,
        "mean_case_assign_minutes": None,
    }
    other = await someone(client, token_for_phone, ADMIN_JINSHUI)
    refused = await client.get(
        f"{APP}/legal-report", params={"district": "zz/gx"}, headers=other.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "legal_not_district_admin")


async def _answer(client: Client, consultation_id: object, headers: dict[str, str]) -> None:
    answered = await client.post(
        f"{APP}/consultations/{consultation_id}/messages",
        json={"text": "请保留证据"},
        headers=headers,
    )
    assert answered.status_code == 201, answered.text
