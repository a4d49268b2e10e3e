"""A case under review keeps its lawyer's close-out for the centre alone to judge, a centre
head conflicted in a case no longer sees it, and an application turned away before any
decision may be objected to as a refused one may."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar

from backend.kernel.events.tables import OutboxEvent
from miniapps.legal_aid.tables import AidCase, AidRefusal
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.staff_support import submitted
from tests.miniapps.legal_aid.aid_desk import centre, legal_aid_item, opened_case
from tests.miniapps.legal_aid.desk import APP, RESIDENT, someone
from tests.support import eventually

WORK = "/v1/miniapps/gov_services/work"
DISTRICT_OFFICER = "13800000020"


async def _act(client: Client, token: str, case_id: int, action: str, body: Any = None) -> Any:
    done = await client.post(f"{WORK}/{case_id}/{action}", json=body, headers=bearer(token))
    assert done.status_code == 200, (action, done.text)
    return done.json()


async def test_a_case_under_review_is_not_reassigned_behind_its_close_out(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """While the close-out waits for review the case keeps its lawyer: a new one would start
    with someone else's filed result. (A conflict found then withdraws the close-out.)"""
    desk = await centre(client, token_for_phone, dt.datetime.now(dt.UTC))
    first, second = desk.lawyers
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    case = f"{APP}/cases/{case_id}"
    r = await client.post(
        f"{case}/lawyer", json={"lawyer_id": first.user_id}, headers=desk.admin.headers
    )
    assert r.status_code == 200, r.text
    filed = await client.post(
        f"{case}/close-out",
        json={"result": "won", "summary": "仲裁裁决支持全部请求", "documents": ["仲裁裁决书"]},
        headers=first.headers,
    )
    assert filed.json()["status"] == "reviewing"
    moved = await client.post(
        f"{case}/lawyer", json={"lawyer_id": second.user_id}, headers=desk.admin.headers
    )
    assert (moved.status_code, moved.json()["code"]) == (409, "legal_case_state")
    row = (
        await AidCase.select(AidCase.status, AidCase.lawyer_id, AidCase.result)
        .where(AidCase.id == case_id)
        .first()
    )
    assert row == {"status": "reviewing", "lawyer_id": first.user_id, "result": "won"}


async def test_a_conflicted_centre_head_no_longer_sees_the_case(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """A centre head recorded as conflicted (acting for the other party) reads the case no
    more, by its id or in the centre's list; the district's admins still do."""
    desk = await centre(client, token_for_phone, dt.datetime.now(dt.UTC))
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    case = f"{APP}/cases/{case_id}"
    recorded = await client.post(
        f"{case}/conflicts",
        json={"lawyer_id": desk.head.user_id, "reason": "该律师代理对方当事人"},
        headers=desk.admin.headers,
    )
    assert recorded.status_code == 200, recorded.text
    seen = await client.get(case, headers=desk.head.headers)
    assert seen.status_code == 404, seen.text
    listed = await client.get(
        f"{APP}/cases/centre", params={"district": "zz/gx"}, headers=desk.head.headers
    )
    assert listed.json()["items"] == []
    assert (await client.get(case, headers=desk.admin.headers)).status_code == 200


async def test_a_legal_aid_application_refused_by_the_reject_action_can_be_objected_to(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """法律援助法 Art. 49: any refusal may be objected to, the engine's `reject` (不予受理)
    as well as a decision `rejected`."""
    resident = await someone(client, token_for_phone, RESIDENT)
    officer = await token_for_phone(DISTRICT_OFFICER)
    item = await legal_aid_item()
    refused = await submitted(item, applicant_id=resident.user_id)
    await _act(client, officer, refused, "claim")
    await _act(client, officer, refused, "accept", {"note": "材料齐全"})
    done = await _act(
        client,
        officer,
        refused,
        "reject",
        {"reason_code": "not_eligible", "text": "经济状况不符合法律援助条件"},
    )
    assert done["status"] == "rejected"

    async def all_delivered() -> bool:
        return await OutboxEvent.count().where(OutboxEvent.dispatched_at.is_null()) == 0

    await eventually(all_delivered, what="every event delivered")
    assert await AidCase.count() == 0
    kept = await AidRefusal.select(AidRefusal.application_id)
    assert kept == [{"application_id": refused}]
