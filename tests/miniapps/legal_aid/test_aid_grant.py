"""The service engine's own decision opens the case: a 法律援助申请 accepted, reviewed and
granted by the district's officer opens one legal-aid case; one refused opens none, and is
kept for an objection."""

from __future__ import annotations

from typing import Any

from backend.kernel.events.tables import OutboxEvent
from miniapps.legal_aid.tables import AidCase, AidRefusal
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.staff_support import submitted
from tests.miniapps.legal_aid.aid_desk import legal_aid_item
from tests.miniapps.legal_aid.desk import RESIDENT, someone
from tests.miniapps.legal_aid.mediating import told
from tests.support import eventually

WORK = "/v1/miniapps/gov_services/work"
DISTRICT_OFFICER = "13800000020"  # zz/gx, where the 法律援助申请 is handled


async def _act(client: Client, token: str, case_id: int, action: str, body: Any = None) -> Any:
    done = await client.post(f"{WORK}/{case_id}/{action}", json=body, headers=bearer(token))
    assert done.status_code == 200, (action, done.text)
    return done.json()


async def test_the_engines_grant_opens_one_case_and_a_refusal_none(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    resident = await someone(client, token_for_phone, RESIDENT)
    officer = await token_for_phone(DISTRICT_OFFICER)
    item = await legal_aid_item()
    granted = await submitted(item, applicant_id=resident.user_id)
    refused = await submitted(item, applicant_id=resident.user_id)
    for application in (granted, refused):
        await _act(client, officer, application, "claim")
        await _act(client, officer, application, "accept", {"note": "材料齐全"})
        await _act(client, officer, application, "advance", {})
    decided = await _act(client, officer, granted, "decide", {"outcome": "approved"})
    assert decided["status"] == "decided"
    rejected = await _act(
        client, officer, refused, "decide", {"outcome": "rejected", "text": "经济状况不符合条件"}
    )
    assert rejected["status"] == "decided"  # a refusal is a decision too

    async def all_delivered() -> bool:
        return await OutboxEvent.count().where(OutboxEvent.dispatched_at.is_null()) == 0

    await eventually(all_delivered, what="every event delivered")
    cases = await AidCase.select(AidCase.application_id, AidCase.ref_no, AidCase.district)
    assert cases == [{"application_id": granted, "ref_no": decided["ref"], "district": "zz/gx"}]
    assert await told(resident.user_id, "法律援助已批准") == 1
    kept = await AidRefusal.select(AidRefusal.application_id, AidRefusal.status)
    assert kept == [{"application_id": refused, "status": "refused"}]
