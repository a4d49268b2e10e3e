"""A refused 法律援助申请 may be objected to by its applicant within 15 days; the district's
justice bureau reviews the objection within 5 working days (escalated once to the city when
it does not, however many workers sweep), and upholds the refusal or overturns it, which
opens the case; the applicant is told either way. Nobody else knows of it."""

from __future__ import annotations

import asyncio
import datetime as dt

from litestar import Litestar

from backend.kernel.contract import JobContext
from backend.kernel.services import services_of
from miniapps.legal_aid.aid_sweep import sweep_cases
from miniapps.legal_aid.tables import AidCase, AidRefusal
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.aid_desk import decided_at, granted_event
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    ADMIN_JINSHUI,
    APP,
    PLATFORM,
    RESIDENT,
    LegalClock,
    someone,
)
from tests.miniapps.legal_aid.mediating import told

CITY = dt.timezone(dt.timedelta(hours=8))
REFUSED = dt.datetime(2026, 9, 25, 10, 0, tzinfo=CITY)  # a Friday, a week before 国庆


async def _refusal(app: Litestar, applicant_id: int) -> int:
    """A refusal decided at REFUSED, its event handled twice: kept once, and no case."""
    moved = await granted_event(applicant_id, outcome="rejected")
    await asyncio.gather(decided_at(app, moved, REFUSED), decided_at(app, moved, REFUSED))
    rows = await AidRefusal.select(AidRefusal.id).where(
        AidRefusal.application_id == moved.application_id
    )
    assert len(rows) == 1
    assert not await AidCase.exists().where(AidCase.application_id == moved.application_id)
    return int(rows[0]["id"])


async def test_an_objection_reviewed_in_time_overturns_the_refusal_and_opens_the_case(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = LegalClock(app, REFUSED)
    resident = await someone(client, token_for_phone, RESIDENT)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    refusal_id = await _refusal(app, resident.user_id)
    refusal = f"{APP}/refusals/{refusal_id}"

    clock.now = dt.datetime(2026, 9, 30, 15, 0, tzinfo=CITY)
    objected = await client.post(
        f"{refusal}/objection",
        json={"reason": "本人系追索劳动报酬的农民工,无需经济困难审查"},
        headers=resident.headers,
    )
    assert objected.status_code == 200, objected.text
    # Five working days after 09-30: 10-08, 10-09, 10-10 (补班), 10-12 and 10-13.
    assert objected.json()["review_due_at"] == "2026-10-13T16:00:00Z"
    assert await told(admin.user_id, "法律援助异议待审查") == 1
    twice = await client.post(
        f"{refusal}/objection", json={"reason": "再次提出异议"}, headers=resident.headers
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "legal_refusal_state")
    listed = await client.get(
        f"{APP}/refusals/objections", params={"district": "zz/gx"}, headers=admin.headers
    )
    assert [r["id"] for r in listed.json()["items"]] == [refusal_id]

    by_applicant = await client.post(
        f"{refusal}/review", json={"uphold": False, "note": "自行改正"}, headers=resident.headers
    )
    assert by_applicant.status_code == 403
    overturned = await client.post(
        f"{refusal}/review",
        json={"uphold": False, "note": "符合免予经济困难审查情形"},
        headers=admin.headers,
    )
    assert overturned.json()["status"] == "overturned"
    assert await told(resident.user_id, "异议成立") == 1
    assert await told(resident.user_id, "维持不予援助决定") == 0
    [case] = await AidCase.select(AidCase.status, AidCase.applicant_id).where(
        AidCase.application_id == overturned.json()["application_id"]
    )
    assert case == {"status": "awaiting_lawyer", "applicant_id": resident.user_id}
    again = await client.post(
        f"{refusal}/review", json={"uphold": True, "note": "维持"}, headers=admin.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "legal_refusal_state")


async def test_an_upheld_refusal_is_told_and_a_late_objection_refused(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = LegalClock(app, REFUSED)
    resident = await someone(client, token_for_phone, RESIDENT)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    upheld_id, late_id = (
        await _refusal(app, resident.user_id),
        await _refusal(app, resident.user_id),
    )
    await client.post(
        f"{APP}/refusals/{upheld_id}/objection",
        json={"reason": "收入证明有误"},
        headers=resident.headers,
    )
    upheld = await client.post(
        f"{APP}/refusals/{upheld_id}/review",
        json={"uphold": True, "note": "家庭收入超过标准"},
        headers=admin.headers,
    )
    assert upheld.json()["status"] == "upheld"
    assert await told(resident.user_id, "维持不予援助决定") == 1
    assert await told(resident.user_id, "异议成立") == 0
    assert await AidCase.count() == 0

    clock.now = REFUSED + dt.timedelta(days=15, seconds=1)
    late = await client.post(
        f"{APP}/refusals/{late_id}/objection",
        json={"reason": "迟到的异议"},
        headers=resident.headers,
    )
    assert (late.status_code, late.json()["code"]) == (409, "legal_objection_late")
    row = (
        await AidRefusal.select(AidRefusal.status, AidRefusal.objection)
        .where(AidRefusal.id == late_id)
        .first()
    )
    assert row == {"status": "refused", "objection": None}


async def test_an_objection_past_its_review_time_is_escalated_once(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = LegalClock(app, REFUSED)
    resident = await someone(client, token_for_phone, RESIDENT)
    platform = await someone(client, token_for_phone, PLATFORM)
    refusal_id = await _refusal(app, resident.user_id)
    objected = await client.post(
        f"{APP}/refusals/{refusal_id}/objection",
        json={"reason": "不服不予援助的决定"},
        headers=resident.headers,
    )
    due = dt.datetime.fromisoformat(objected.json()["review_due_at"])
    job = JobContext(app_id="legal_aid", services=services_of(app))
    clock.now = due - dt.timedelta(seconds=1)
    assert sum(await asyncio.gather(sweep_cases(job), sweep_cases(job))) == 0
    clock.now = due
    assert sum(await asyncio.gather(sweep_cases(job), sweep_cases(job))) == 1
    assert sum(await asyncio.gather(sweep_cases(job), sweep_cases(job))) == 0
    assert await told(platform.user_id, "异议审查超时") == 1


async def test_nobody_else_knows_of_a_refusal(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    resident = await someone(client, token_for_phone, RESIDENT)
    refusal_id = await _refusal(app, resident.user_id)
    for phone in ("13800000002", "13800000012", "13800000016", ADMIN_JINSHUI):
        outsider = await someone(client, token_for_phone, phone)
        seen = await client.get(f"{APP}/refusals/{refusal_id}", headers=outsider.headers)
        assert (seen.status_code, seen.json()["code"]) == (404, "legal_refusal_not_found")
        objected = await client.post(
            f"{APP}/refusals/{refusal_id}/objection",
            json={"reason": "替他人提出异议"},
            headers=outsider.headers,
        )
        assert objected.status_code == 404
        assert (await client.get(f"{APP}/refusals/mine", headers=outsider.headers)).json()[
            "items"
        ] == []
    jinshui = await someone(client, token_for_phone, ADMIN_JINSHUI)
    listed = await client.get(
        f"{APP}/refusals/objections", params={"district": "zz/gx"}, headers=jinshui.headers
    )
    assert listed.status_code == 403
    mine = await client.get(f"{APP}/refusals/mine", headers=resident.headers)
    assert [r["id"] for r in mine.json()["items"]] == [refusal_id]
