"""What attacks on legal-aid cases found, each kept as a guarantee: a lawyer's own list is an
audited read that ends with their role, a hearing is reminded whoever holds the case, a
case given back has a fresh deadline counted from then, the first from the grant itself, a
revoked centre head hears no more, a switched-off account is never given a case, a title
stays one line, and no odd input answers 500."""

from __future__ import annotations

import datetime as dt
import uuid

from litestar import Litestar

from backend.directory.users.tables import AuditEntry, RoleAssignment
from backend.kernel.contract import Event, JobContext
from backend.kernel.service_desk import APPLICATION_MOVED
from backend.kernel.services import services_of
from miniapps.legal_aid.aid_cases import open_case
from miniapps.legal_aid.aid_sweep import sweep_cases
from miniapps.legal_aid.tables import AidCase
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.aid_desk import Centre, centre, granted_event, opened_case
from tests.miniapps.legal_aid.desk import APP, RESIDENT, LegalClock, Person, someone
from tests.miniapps.legal_aid.mediating import told


async def _assigned(
    client: Client, token_for_phone: TokenForPhone, now: dt.datetime
) -> tuple[Centre, Person, int, Person]:
    desk = await centre(client, token_for_phone, now)
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    lawyer = desk.lawyers[0]
    given = await client.post(
        f"{APP}/cases/{case_id}/lawyer",
        json={"lawyer_id": lawyer.user_id},
        headers=desk.admin.headers,
    )
    assert given.status_code == 200, given.text
    return desk, resident, case_id, lawyer


async def test_a_lawyer_whose_role_was_revoked_does_not_read_the_case_through_mine(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """A lawyer who no longer holds the lawyer role in the district sees the case neither
    by its id nor in their own list."""
    _desk, _resident, case_id, lawyer = await _assigned(
        client, token_for_phone, dt.datetime.now(dt.UTC)
    )
    filed = await client.post(
        f"{APP}/cases/{case_id}/close-out",
        json={
            "result": "won",
            "summary": "仲裁裁决支持全部请求,公司支付工资",
            "documents": ["裁决书"],
        },
        headers=lawyer.headers,
    )
    assert filed.status_code == 200, filed.text
    await RoleAssignment.delete().where(
        (RoleAssignment.user == lawyer.user_id) & (RoleAssignment.role == "lawyer")
    )
    former = await someone(client, token_for_phone, "13900000301")  # a token of roles now held
    one = await client.get(f"{APP}/cases/{case_id}", headers=former.headers)
    assert one.status_code == 404
    mine = await client.get(f"{APP}/cases/mine", headers=former.headers)
    assert mine.json()["items"] == []


async def test_the_lawyers_own_list_is_an_audited_staff_read(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """The lawyer's own list is a staff read like reading the case by its id: audited."""
    _desk, _resident, case_id, lawyer = await _assigned(
        client, token_for_phone, dt.datetime.now(dt.UTC)
    )
    read = AuditEntry.count().where(
        (AuditEntry.action == "legal_aid.case_read") & (AuditEntry.actor_id == lawyer.user_id)
    )
    before = await read
    mine = await client.get(f"{APP}/cases/mine", headers=lawyer.headers)
    assert [c["id"] for c in mine.json()["items"]] == [case_id]
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "legal_aid.case_read") & (AuditEntry.actor_id == lawyer.user_id)
        )
        == before + 1
    )


async def test_the_applicant_is_reminded_of_a_hearing_while_the_case_waits_for_a_new_lawyer(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """The hearing is the court's, not the lawyer's: when the lawyer steps aside before it,
    the applicant is still reminded the day before."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = LegalClock(app, now)
    _desk, resident, case_id, lawyer = await _assigned(client, token_for_phone, now)
    hearing_at = now + dt.timedelta(hours=30)
    heard = await client.post(
        f"{APP}/cases/{case_id}/hearings",
        json={"starts_at": hearing_at.isoformat(), "court": "高新区人民法院第三法庭"},
        headers=lawyer.headers,
    )
    assert heard.status_code == 201, heard.text
    aside = await client.post(
        f"{APP}/cases/{case_id}/conflicts",
        json={"reason": "本人曾为对方单位法律顾问"},
        headers=lawyer.headers,
    )
    assert aside.status_code == 200, aside.text
    clock.now = hearing_at - dt.timedelta(hours=23)
    await sweep_cases(JobContext(app_id="legal_aid", services=services_of(app)))
    assert await told(resident.user_id, "明日开庭提醒") == 1


async def test_a_case_given_back_to_the_centre_gets_a_fresh_deadline(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """A case given back by its lawyer on day 10 gets 3 working days from then, not the
    deadline long past, and is escalated again only once that is up."""
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = LegalClock(app, start)
    desk, _resident, case_id, lawyer = await _assigned(client, token_for_phone, start)
    clock.now = start + dt.timedelta(days=10)
    aside = await client.post(
        f"{APP}/cases/{case_id}/conflicts",
        json={"reason": "本人与对方当事人系亲属"},
        headers=lawyer.headers,
    )
    assert aside.status_code == 200, aside.text
    job = JobContext(app_id="legal_aid", services=services_of(app))
    assert await sweep_cases(job) == 0  # the centre had no time at all yet
    assert await told(desk.admin.user_id, "援助案件超时未指派") == 0


async def test_the_deadline_counts_from_the_grant_not_from_when_the_worker_got_to_it(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """The deadline, and the time to assign the report counts, run from the grant, however
    late a worker hands it over."""
    resident = await someone(client, token_for_phone, RESIDENT)
    moved = await granted_event(resident.user_id)
    granted_at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday
    LegalClock(app, granted_at + dt.timedelta(days=4))  # handled on the Friday
    await open_case(
        Event(id=uuid.uuid4(), name=APPLICATION_MOVED, payload=moved, occurred_at=granted_at),
        JobContext(app_id="legal_aid", services=services_of(app)),
    )
    [case] = await AidCase.select(AidCase.granted_at, AidCase.assign_due_at).where(
        AidCase.application_id == moved.application_id
    )
    assert case["granted_at"] == granted_at
    # the end of Thursday 03-05 in the city: 3 working days after Monday 03-02
    assert case["assign_due_at"] == dt.datetime(2026, 3, 5, 16, 0, tzinfo=dt.UTC)


async def test_a_revoked_centre_head_is_no_longer_pushed_new_cases(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """A centre head who lost the lawyer role sees no case, and is told of none either."""
    desk = await centre(client, token_for_phone, dt.datetime.now(dt.UTC))
    await RoleAssignment.delete().where(
        (RoleAssignment.user == desk.head.user_id) & (RoleAssignment.role == "lawyer")
    )
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    former = await someone(client, token_for_phone, "13900000300")
    seen = await client.get(f"{APP}/cases/{case_id}", headers=former.headers)
    assert seen.status_code == 404
    assert await told(desk.head.user_id, "待指派援助律师") == 0


async def test_odd_input_never_answers_500(client: Client, token_for_phone: TokenForPhone) -> None:
    now = dt.datetime.now(dt.UTC)
    desk, resident, case_id, lawyer = await _assigned(client, token_for_phone, now)
    case = f"{APP}/cases/{case_id}"
    tries = [
        (f"{case}/lawyer", desk.admin, {"lawyer_id": 2**63 - 1}),
        (f"{case}/lawyer", desk.admin, {"lawyer_id": 2**64}),
        (f"{case}/lawyer", desk.admin, [1]),
        (f"{case}/lawyer", desk.admin, None),
        (f"{case}/conflicts", desk.admin, {"lawyer_id": 2**63 - 1, "reason": "代理对方"}),
        (f"{case}/hearings", lawyer, {"starts_at": "0001-01-01T00:00:00+14:00", "court": "法庭"}),
        (f"{case}/hearings", lawyer, {"starts_at": "9999-12-31T23:59:59-14:00", "court": "法庭"}),
        (f"{case}/hearings", lawyer, {"starts_at": "2026-02-30T10:00:00Z", "court": "法庭"}),
        (f"{case}/hearings", lawyer, {"starts_at": "2026-01-01T10:00:00", "court": "法庭"}),
        (f"{case}/notes", lawyer, {"text": "\U0001f600" * 2000}),
        (f"{case}/notes", lawyer, {"text": "\u200b\u200b"}),
        (
            f"{case}/close-out",
            lawyer,
            {"result": "won", "summary": "x" * 10, "documents": ["a\nb"]},
        ),
        (f"{case}/rating", resident, {"stars": 5, "comment": "\U0001f600" * 500}),
        (f"{APP}/cases/9223372036854775807", desk.admin, {}),
    ]
    for path, who, body in tries:
        answer = await client.post(path, json=body, headers=who.headers)
        assert answer.status_code < 500, (path, body, answer.text)
    for path in (f"{APP}/cases/9223372036854775808", f"{APP}/cases/-1", f"{APP}/cases/0"):
        answer = await client.get(path, headers=desk.admin.headers)
        assert answer.status_code < 500, (path, answer.text)
    for district in ("zz/gx/", "zz//gx", "zz/gx/" + "a" * 190, "zz/高新", "%"):
        answer = await client.get(
            f"{APP}/cases/centre", params={"district": district}, headers=desk.admin.headers
        )
        assert answer.status_code < 500, (district, answer.text)


async def test_a_document_title_with_a_line_break_is_refused(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """Titles are kept a line each: one holding a line break would come back as two, so it
    is refused, and the case stays as it was."""
    _desk, _resident, case_id, lawyer = await _assigned(
        client, token_for_phone, dt.datetime.now(dt.UTC)
    )
    filed = await client.post(
        f"{APP}/cases/{case_id}/close-out",
        json={
            "result": "won",
            "summary": "仲裁裁决支持全部请求",
            "documents": ["仲裁裁决书\n(第二页)"],
        },
        headers=lawyer.headers,
    )
    assert filed.status_code == 400, filed.text
    row = (
        await AidCase.select(AidCase.status, AidCase.documents).where(AidCase.id == case_id).first()
    )
    assert row == {"status": "assigned", "documents": None}


async def test_the_automatic_choice_skips_a_disabled_account(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """An account switched off (it can neither log in nor refresh) is never handed a case,
    though it keeps its role and its shift."""
    from backend.directory.users.service import set_active

    desk = await centre(client, token_for_phone, dt.datetime.now(dt.UTC))
    first, second = sorted(desk.lawyers, key=lambda p: p.user_id)
    await set_active(user_id=first.user_id, active=False)
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    given = await client.post(f"{APP}/cases/{case_id}/lawyer", json={}, headers=desk.admin.headers)
    assert given.status_code == 200, given.text
    assert given.json()["lawyer_id"] == second.user_id
