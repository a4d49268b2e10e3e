"""Notices follow from `application_moved`: the resident hears each step that notifies, in
its resident text in both languages, and always of a 补正; the officers of the org a case
reaches hear of new work; a step without `notify` and a claim tell the resident nothing."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.kernel.db import json_value
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.vault import Vault
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.states import APPLICATION_MOVED
from push.tables import Notification
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.given import user_id
from tests.miniapps.gov_services.staff_support import G07, case, published, submitted
from tests.support import eventually, notices_recorded

WORK = "/v1/miniapps/gov_services/work"
STREET_OFFICER = "13800000019"


async def _notices_after(client: Client, token: str, url: str, body: Any) -> list[dict[str, Any]]:
    """The notifications one action made, once its event was handled and push took them."""
    before = await _last_notification()
    response = await client.post(url, json=body, headers=bearer(token))
    assert response.status_code == 200, response.text

    async def handled() -> bool:
        waiting = await OutboxEvent.count().where(
            (OutboxEvent.name == APPLICATION_MOVED) & OutboxEvent.dispatched_at.is_null()
        )
        return waiting == 0

    await eventually(handled, what="application_moved handled")
    await notices_recorded()
    rows = await Notification.select().where(Notification.id > before).order_by(Notification.id)
    return [
        {**row, **{k: json_value(row[k]) for k in ("titles", "bodies", "data", "audience")}}
        for row in rows
    ]


async def _last_notification() -> int:
    row = (
        await Notification.select(Notification.id)
        .order_by(Notification.id, ascending=False)
        .first()
    )
    return int(row["id"]) if row else 0


async def test_acceptance_tells_the_resident_the_next_steps_text_and_its_officers_of_work(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    item = await published("residence_permit_apply")
    applicant = await user_id(vault, "13800000001")
    case_id = await submitted(item, applicant_id=applicant, place=G07)
    token = await token_for_phone(STREET_OFFICER)
    made = await _notices_after(client, token, f"{WORK}/{case_id}/accept", {})
    resident = next(n for n in made if n["template"] == "gov_services.progress")
    assert resident["audience"]["user_ids"] == [applicant]
    data = resident["data"]
    assert (data["text_zh"], data["text_en"]) == (
        "派出所正在核查居住信息",
        "The police station is checking where you live",
    )
    assert (data["item"], data["ref"]) == ("居住证申领", (await case(case_id))["ref_no"])
    assert set(resident["bodies"]) == {"zh-CN", "en"}
    assert resident["deep_link"] == f"yimen://miniapps/gov_services/applications/{case_id}"
    staff = next(n for n in made if n["template"] == "gov_services.new_work")
    assert (staff["audience"]["role"], staff["audience"]["path"]) == (
        "service_officer",
        "zz/gx/fengyang",
    )
    assert staff["deep_link"] == f"yimen://miniapps/gov_services/work/{case_id}"
    assert len(made) == 2


async def test_a_return_always_tells_the_resident_and_a_claim_tells_nobody(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    entry = next(e for e in demo_catalogue() if e.code == "residence_permit_apply")
    silent = msgspec.structs.replace(
        entry.document,
        steps=tuple(msgspec.structs.replace(s, notify=False) for s in entry.document.steps),
    )
    item = await published("residence_permit_apply", silent)
    applicant = await user_id(vault, "13800000001")
    case_id = await submitted(item, applicant_id=applicant, place=G07)
    token = await token_for_phone(STREET_OFFICER)
    assert await _notices_after(client, token, f"{WORK}/{case_id}/claim", None) == []
    accepted = await _notices_after(client, token, f"{WORK}/{case_id}/accept", {})
    assert [n["template"] for n in accepted] == ["gov_services.new_work"]  # review: no notify
    request = {"fields": [{"field": "employer"}]}
    returned = await _notices_after(
        client, token, f"{WORK}/{case_id}/return-for-supplement", request
    )
    assert [n["template"] for n in returned] == ["gov_services.progress"]
    assert returned[0]["audience"]["user_ids"] == [applicant]
    assert "补正" in returned[0]["data"]["text_zh"]
