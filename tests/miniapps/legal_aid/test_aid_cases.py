"""A legal-aid case opens once when the service engine grants a 法律援助申请, however often
its event comes; the centre assigns a lawyer on duty with no conflict in it, by name or by
load, never a conflicted one; the lawyer records notes and hearings (the applicant told,
and reminded the day before), files a close-out the centre reviews, and the applicant
rates the lawyer once."""

from __future__ import annotations

import asyncio
import datetime as dt

import msgspec
import pytest
from litestar import Litestar

from backend.kernel.contract import JobContext
from backend.kernel.events import emit, unit_of_work
from backend.kernel.events.delivery import deliver_event
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.service_desk import APPLICATION_MOVED
from backend.kernel.services import services_of
from miniapps.legal_aid.aid_sweep import sweep_cases
from miniapps.legal_aid.tables import AidCase
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.aid_desk import centre, decided_at, granted_event, opened_case
from tests.miniapps.legal_aid.desk import APP, RESIDENT, someone
from tests.miniapps.legal_aid.mediating import told
from tests.support import eventually


async def test_a_grant_opens_one_case_however_often_it_is_told(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    resident = await someone(client, token_for_phone, RESIDENT)
    services = services_of(app)
    moved = await granted_event(resident.user_id)
    async with unit_of_work():  # the engine told of the same grant twice
        first = await emit(APPLICATION_MOVED, moved)
        second = await emit(APPLICATION_MOVED, moved)
    # ... and each event handed to several workers at once.
    await OutboxEvent.update({OutboxEvent.dispatched_at: None}).where(OutboxEvent.id > 0)
    await asyncio.gather(*(deliver_event(services, str(e)) for e in (first, second, first, second)))

    async def opened() -> bool:
        return await AidCase.count() == 1

    await eventually(opened, what="one case")
    await asyncio.sleep(0.2)
    assert await AidCase.count() == 1
    [case] = await AidCase.select().where(AidCase.application_id == moved.application_id)
    assert (case["status"], case["district"], case["applicant_id"]) == (
        "awaiting_lawyer",
        "zz/gx",
        resident.user_id,
    )
    assert await told(resident.user_id, "法律援助已批准") == 1


async def test_the_centre_assigns_a_lawyer_on_duty_with_no_conflict(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    now = dt.datetime.now(dt.UTC)
    desk = await centre(client, token_for_phone, now)
    first, second = desk.lawyers
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    assert await told(desk.head.user_id, "待指派援助律师") == 1
    assign = f"{APP}/cases/{case_id}/lawyer"
    conflicts = f"{APP}/cases/{case_id}/conflicts"

    # The first lawyer represents the other party.
    recorded = await client.post(
        conflicts,
        json={"lawyer_id": first.user_id, "reason": "该律师代理对方当事人"},
        headers=desk.head.headers,
    )
    assert recorded.status_code == 200, recorded.text
    by_hand = await client.post(
        assign, json={"lawyer_id": first.user_id}, headers=desk.admin.headers
    )
    assert (by_hand.status_code, by_hand.json()["code"]) == (422, "legal_lawyer_conflicted")
    herself = await client.post(
        assign, json={"lawyer_id": resident.user_id}, headers=desk.admin.headers
    )
    assert (herself.status_code, herself.json()["code"]) == (422, "legal_lawyer_conflicted")
    # Left to the load, the conflicted lawyer is passed over though both hold nothing.
    automatic = await client.post(assign, json={}, headers=desk.head.headers)
    assert automatic.status_code == 200, automatic.text
    assert automatic.json()["lawyer_id"] == second.user_id
    assert automatic.json()["status"] == "assigned"
    assert await told(resident.user_id, "已指派援助律师") == 1
    assert await told(second.user_id, "已指派援助律师") == 1

    # The second declares a conflict of their own: the case goes back, and nobody is left.
    declared = await client.post(
        conflicts, json={"reason": "与申请人有亲属关系"}, headers=second.headers
    )
    assert declared.status_code == 200, declared.text
    row = (
        await AidCase.select(AidCase.lawyer_id, AidCase.status).where(AidCase.id == case_id).first()
    )
    assert row == {"lawyer_id": None, "status": "awaiting_lawyer"}
    assert (await client.get(f"{APP}/cases/{case_id}", headers=second.headers)).status_code == 404
    nobody = await client.post(assign, json={}, headers=desk.admin.headers)
    assert (nobody.status_code, nobody.json()["code"]) == (409, "legal_no_lawyer_free")


async def test_a_lawyer_off_duty_or_unlisted_is_refused(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    desk = await centre(client, token_for_phone, dt.datetime.now(dt.UTC), on_duty_too=False)
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    assign = f"{APP}/cases/{case_id}/lawyer"
    off = await client.post(
        assign, json={"lawyer_id": desk.lawyers[0].user_id}, headers=desk.admin.headers
    )
    assert (off.status_code, off.json()["code"]) == (422, "legal_lawyer_off_duty")
    unlisted = await client.post(
        assign, json={"lawyer_id": desk.admin.user_id}, headers=desk.admin.headers
    )
    assert (unlisted.status_code, unlisted.json()["code"]) == (422, "legal_not_a_lawyer")
    nobody = await client.post(assign, json={}, headers=desk.admin.headers)
    assert (nobody.status_code, nobody.json()["code"]) == (409, "legal_no_lawyer_free")
    by_applicant = await client.post(assign, json={}, headers=resident.headers)
    assert (by_applicant.status_code, by_applicant.json()["code"]) == (403, "legal_not_centre")
    row = (
        await AidCase.select(AidCase.lawyer_id, AidCase.status).where(AidCase.id == case_id).first()
    )
    assert row == {"lawyer_id": None, "status": "awaiting_lawyer"}


async def test_a_case_is_worked_reviewed_closed_and_rated_once(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    desk = await centre(client, token_for_phone, now)
    lawyer = desk.lawyers[0]
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    case = f"{APP}/cases/{case_id}"
    assigned = await client.post(
        f"{case}/lawyer", json={"lawyer_id": lawyer.user_id}, headers=desk.admin.headers
    )
    assert assigned.status_code == 200, assigned.text

    noted = await client.post(
        f"{case}/notes", json={"text": "已与用人单位沟通"}, headers=lawyer.headers
    )
    assert [n["text"] for n in noted.json()["notes"]] == ["已与用人单位沟通"]
    by_other = await client.post(
        f"{case}/notes", json={"text": "代写"}, headers=desk.lawyers[1].headers
    )
    assert by_other.status_code == 404
    hearing_at = now + dt.timedelta(hours=40)
    heard = await client.post(
        f"{case}/hearings",
        json={"starts_at": hearing_at.isoformat(), "court": "高新区人民法院第三法庭"},
        headers=lawyer.headers,
    )
    assert heard.status_code == 201, heard.text
    assert await told(resident.user_id, "开庭通知") == 1
    past = await client.post(
        f"{case}/hearings",
        json={"starts_at": (now - dt.timedelta(hours=1)).isoformat(), "court": "法庭"},
        headers=lawyer.headers,
    )
    assert (past.status_code, past.json()["code"]) == (422, "legal_hearing_invalid")

    job = JobContext(app_id="legal_aid", services=services_of(app))
    assert await sweep_cases(job) == 0
    from tests.miniapps.legal_aid.desk import LegalClock

    clock = LegalClock(app, hearing_at - dt.timedelta(hours=23))
    assert sum(await asyncio.gather(sweep_cases(job), sweep_cases(job))) == 1
    assert await told(resident.user_id, "明日开庭提醒") == 1
    clock.now = now

    early_rating = await client.post(f"{case}/rating", json={"stars": 5}, headers=resident.headers)
    assert (early_rating.status_code, early_rating.json()["code"]) == (409, "legal_case_rated")
    filed = await client.post(
        f"{case}/close-out",
        json={"result": "won", "summary": "仲裁裁决支持全部请求", "documents": ["仲裁裁决书"]},
        headers=lawyer.headers,
    )
    assert filed.json()["status"] == "reviewing"
    assert await told(desk.head.user_id, "结案材料待审查") == 1
    by_lawyer = await client.post(f"{case}/review", json={"accept": True}, headers=lawyer.headers)
    assert by_lawyer.status_code == 403
    back = await client.post(
        f"{case}/review",
        json={"accept": False, "note": "请补充送达回证"},
        headers=desk.head.headers,
    )
    assert back.json()["status"] == "assigned"
    assert await told(lawyer.user_id, "结案材料被退回") == 1
    await client.post(
        f"{case}/close-out",
        json={
            "result": "won",
            "summary": "仲裁裁决支持全部请求",
            "documents": ["仲裁裁决书", "送达回证"],
        },
        headers=lawyer.headers,
    )
    closed = await client.post(f"{case}/review", json={"accept": True}, headers=desk.admin.headers)
    assert closed.json()["status"] == "closed"
    assert closed.json()["documents"] == ["仲裁裁决书", "送达回证"]
    assert await told(resident.user_id, "案件已结案") == 1

    rated = await client.post(
        f"{case}/rating", json={"stars": 5, "comment": "很负责"}, headers=resident.headers
    )
    assert rated.json()["rating"] == 5
    again = await client.post(f"{case}/rating", json={"stars": 1}, headers=resident.headers)
    assert (again.status_code, again.json()["code"]) == (409, "legal_case_rated")
    late_note = await client.post(f"{case}/notes", json={"text": "补记"}, headers=lawyer.headers)
    assert (late_note.status_code, late_note.json()["code"]) == (409, "legal_case_state")


async def test_an_unassigned_case_escalates_once_across_the_holiday(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    from tests.miniapps.legal_aid.desk import LegalClock

    city = dt.timezone(dt.timedelta(hours=8))
    clock = LegalClock(app, dt.datetime(2026, 9, 30, 15, 0, tzinfo=city))
    desk = await centre(client, token_for_phone, clock.now)
    resident = await someone(client, token_for_phone, RESIDENT)
    moved = await granted_event(resident.user_id)
    await decided_at(app, moved, clock.now)
    [row] = await AidCase.select(AidCase.id).where(AidCase.application_id == moved.application_id)
    case_id = row["id"]
    view = await client.get(f"{APP}/cases/{case_id}", headers=resident.headers)
    # Three working days after 09-30: 10-08, 10-09 and 10-10 (a 补班 Saturday).
    assert view.json()["assign_due_at"] == "2026-10-10T16:00:00Z"
    job = JobContext(app_id="legal_aid", services=services_of(app))
    clock.now = dt.datetime(2026, 10, 10, 23, 59, tzinfo=city)
    assert sum(await asyncio.gather(sweep_cases(job), sweep_cases(job))) == 0
    clock.now = dt.datetime(2026, 10, 11, 0, 0, tzinfo=city)
    assert sum(await asyncio.gather(sweep_cases(job), sweep_cases(job))) == 1
    assert sum(await asyncio.gather(sweep_cases(job), sweep_cases(job))) == 0
    for who in (desk.admin, desk.head):
        assert await told(who.user_id, "援助案件超时未指派") == 1
    assert (await client.get(f"{APP}/cases/{case_id}", headers=resident.headers)).json()[
        "escalated"
    ] == 1


async def test_the_report_counts_grants_and_the_time_to_assign(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    from tests.miniapps.legal_aid.desk import GX, LegalClock

    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = LegalClock(app, start)
    desk = await centre(client, token_for_phone, start)
    resident = await someone(client, token_for_phone, RESIDENT)
    granted = [await granted_event(resident.user_id) for _ in range(2)]
    for moved in granted:
        await decided_at(app, moved, start)
    [assigned, waiting] = [
        (await AidCase.select(AidCase.id).where(AidCase.application_id == m.application_id))[0][
            "id"
        ]
        for m in granted
    ]
    clock.now = start + dt.timedelta(minutes=90)
    done = await client.post(f"{APP}/cases/{assigned}/lawyer", json={}, headers=desk.admin.headers)
    assert done.status_code == 200, done.text
    report = await client.get(
        f"{APP}/legal-report", params={"district": GX}, headers=desk.admin.headers
    )
    assert (report.json()["cases_granted"], report.json()["mean_case_assign_minutes"]) == (2, 90)
    left = await AidCase.select(AidCase.assigned_at).where(AidCase.id == waiting).first()
    assert left == {"assigned_at": None}  # granted, still waiting: counted, no wait yet


async def test_a_conflict_found_during_review_withdraws_the_close_out(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    desk = await centre(client, token_for_phone, dt.datetime.now(dt.UTC))
    lawyer = desk.lawyers[0]
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    case = f"{APP}/cases/{case_id}"
    given = await client.post(
        f"{case}/lawyer", json={"lawyer_id": lawyer.user_id}, headers=desk.admin.headers
    )
    assert given.status_code == 200, given.text
    filed = await client.post(
        f"{case}/close-out",
        json={"result": "settled", "summary": "双方和解,公司支付工资"},
        headers=lawyer.headers,
    )
    assert filed.json()["status"] == "reviewing"
    found = await client.post(
        f"{case}/conflicts",
        json={"lawyer_id": lawyer.user_id, "reason": "该律师系对方公司法律顾问"},
        headers=desk.head.headers,
    )
    assert found.status_code == 200, found.text
    row = (
        await AidCase.select(AidCase.status, AidCase.lawyer_id, AidCase.result)
        .where(AidCase.id == case_id)
        .first()
    )
    assert row == {"status": "awaiting_lawyer", "lawyer_id": None, "result": None}
    accepted = await client.post(
        f"{case}/review", json={"accept": True}, headers=desk.admin.headers
    )
    assert (accepted.status_code, accepted.json()["code"]) == (409, "legal_case_state")


async def test_a_grant_outside_any_district_opens_nothing_and_says_so(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, caplog: pytest.LogCaptureFixture
) -> None:
    resident = await someone(client, token_for_phone, RESIDENT)
    moved = msgspec.structs.replace(await granted_event(resident.user_id), assignee_org="zz")
    await decided_at(app, moved, dt.datetime.now(dt.UTC))
    assert await AidCase.count() == 0
    assert any("outside any district" in r.getMessage() for r in caplog.records)
