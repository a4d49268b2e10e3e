"""The invited party's 5 working days stop over a public holiday; an invitation nobody
answered in time closes once with two workers sweeping at once, and can no longer be
answered; a session and the court's 30 days are each reminded once, with two workers
sweeping; and what is refused at the door leaves nothing behind."""

from __future__ import annotations

import asyncio
import datetime as dt

from litestar import Litestar

from backend.kernel.contract import JobContext
from backend.kernel.services import services_of
from miniapps.legal_aid.mediation_sweep import sweep_mediations
from miniapps.legal_aid.tables import Mediation
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import APP, PLATFORM, LegalClock, someone
from tests.miniapps.legal_aid.mediating import APPLICANT, act, apply, assigned, sides, told

CITY = dt.timezone(dt.timedelta(hours=8))
APPLIED = dt.datetime(2026, 9, 30, 15, 0, tzinfo=CITY)  # Wednesday, the eve of 国庆


async def _sweep_twice(app: Litestar) -> int:
    job = JobContext(app_id="legal_aid", services=services_of(app))
    return sum(await asyncio.gather(sweep_mediations(job), sweep_mediations(job)))


async def test_the_answer_window_stops_over_the_holiday_and_lapses_once(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = LegalClock(app, APPLIED)
    s = await sides(client, token_for_phone)
    applied = await apply(client, s.applicant)
    mediation_id = int(applied["id"])
    # Five working days after 09-30: 10-08, 10-09, 10-10 (a 补班 Saturday), 10-12, 10-13;
    # the window ends at that day's midnight, city time.
    assert applied["answer_due_at"] == "2026-10-13T16:00:00Z"

    clock.now = dt.datetime(2026, 10, 14, 0, 0, tzinfo=CITY) - dt.timedelta(seconds=1)
    assert await _sweep_twice(app) == 0
    clock.now += dt.timedelta(seconds=1)
    assert await _sweep_twice(app) == 1
    assert await told(s.applicant.user_id, "对方未在期限内答复") == 1
    late = await client.post(
        f"{APP}/mediations/{mediation_id}/answer", json={"accept": True}, headers=s.other.headers
    )
    assert (late.status_code, late.json()["code"]) == (409, "legal_mediation_state")


async def test_an_answer_past_its_time_is_refused_before_any_sweep(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    clock = LegalClock(app, APPLIED)
    s = await sides(client, token_for_phone)
    mediation_id = int((await apply(client, s.applicant))["id"])
    clock.now = dt.datetime(2026, 10, 14, 0, 0, tzinfo=CITY)
    late = await client.post(
        f"{APP}/mediations/{mediation_id}/answer", json={"accept": True}, headers=s.other.headers
    )
    assert (late.status_code, late.json()["code"]) == (409, "legal_invite_lapsed")
    row = await Mediation.select(Mediation.status).where(Mediation.id == mediation_id).first()
    assert row == {"status": "invited"}


async def test_a_session_and_the_courts_window_are_each_reminded_once(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = LegalClock(app, now)
    s = await sides(client, token_for_phone)
    mediation_id = await assigned(client, s)
    starts = now + dt.timedelta(hours=30)
    await act(
        client,
        s.mediator,
        mediation_id,
        "sessions",
        {"starts_at": starts.isoformat(), "place": "社区调解室"},
    )
    assert await _sweep_twice(app) == 0
    clock.now = starts - dt.timedelta(hours=24)
    assert await _sweep_twice(app) == 1
    for who in (s.applicant, s.other, s.mediator):
        assert await told(who.user_id, "明日调解提醒") == 1

    written = await act(
        client, s.mediator, mediation_id, "agreement", {"text": "双方同意按本协议履行各自义务。"}
    )
    for party in (s.applicant, s.other):
        await act(
            client,
            party,
            mediation_id,
            "agreement/confirm",
            {"text_hash": written["agreement"]["text_hash"]},
        )
    settled_at = clock.now
    clock.now = settled_at + dt.timedelta(days=23) - dt.timedelta(minutes=1)
    assert await _sweep_twice(app) == 0
    clock.now = settled_at + dt.timedelta(days=23)
    assert await _sweep_twice(app) == 1
    for who in (s.applicant, s.other):
        assert await told(who.user_id, "司法确认提醒") == 1
    clock.now = settled_at + dt.timedelta(days=29)
    assert await _sweep_twice(app) == 0


async def test_refused_applications_leave_nothing_behind(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    body = {"other_name": "自己", "category": "family", "summary": "申请与自己调解的测试内容"}
    myself = await client.post(
        f"{APP}/mediations", json={**body, "other_phone": APPLICANT}, headers=s.applicant.headers
    )
    assert (myself.status_code, myself.json()["code"]) == (422, "legal_mediation_self")
    platform = await someone(client, token_for_phone, PLATFORM)  # homed at the city
    homeless = await client.post(
        f"{APP}/mediations", json={**body, "other_phone": "13900000240"}, headers=platform.headers
    )
    assert (homeless.status_code, homeless.json()["code"]) == (422, "legal_no_community")
    for bad in (
        {**body, "other_phone": "12345"},
        {**body, "other_phone": "13900000240", "summary": "   "},
        {**body, "other_phone": "13900000240", "summary": "长" * 2001},
    ):
        refused = await client.post(f"{APP}/mediations", json=bad, headers=s.applicant.headers)
        assert refused.status_code == 400, bad
    assert await Mediation.count() == 0

    mediation_id = await assigned(client, s)
    too_late = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    too_far = dt.datetime.now(dt.UTC) + dt.timedelta(days=181)
    for starts in (too_late, too_far):
        refused = await client.post(
            f"{APP}/mediations/{mediation_id}/sessions",
            json={"starts_at": starts.isoformat(), "place": "调解室"},
            headers=s.mediator.headers,
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "legal_session_invalid")
    by_party = await client.post(
        f"{APP}/mediations/{mediation_id}/sessions",
        json={"starts_at": (too_late + dt.timedelta(days=2)).isoformat(), "place": "调解室"},
        headers=s.applicant.headers,
    )
    assert (by_party.status_code, by_party.json()["code"]) == (403, "legal_not_your_mediation")
    seen = await client.get(f"{APP}/mediations/{mediation_id}", headers=s.applicant.headers)
    assert seen.json()["sessions"] == []


async def test_one_open_mediation_per_party_and_three_invitations_waiting(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    await apply(client, s.applicant)
    again = await client.post(
        f"{APP}/mediations",
        json={
            "other_phone": "13800000002",
            "other_name": "王五",
            "category": "family",
            "summary": "同一对方的第二件调解申请",
        },
        headers=s.applicant.headers,
    )
    assert (again.status_code, again.json()["code"]) == (409, "legal_mediation_open")
    await apply(client, s.applicant, "13900000250")
    await apply(client, s.applicant, "13900000251")
    fourth = await client.post(
        f"{APP}/mediations",
        json={
            "other_phone": "13900000252",
            "other_name": "赵六",
            "category": "family",
            "summary": "第四件待答复的调解邀请",
        },
        headers=s.applicant.headers,
    )
    assert (fourth.status_code, fourth.json()["code"]) == (409, "legal_mediation_open")
    assert await Mediation.count() == 3
