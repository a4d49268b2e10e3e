"""Withdrawing (撤回): until the decision, with one history, audit and outbox row; after it,
a 409 that changes nothing."""

from __future__ import annotations

import pytest

from miniapps.gov_services.tables import Application
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import (
    APP,
    RESIDENT,
    application_row,
    counts,
    nothing_required,
    publish,
    start,
    submitted,
)


async def _set_status(application_id: int, status: str) -> None:
    """Where the staff flow would have taken the case."""
    await Application.update(
        {Application.status: status, Application.version: Application.version + 1}
    ).where(Application.id == application_id)


@pytest.mark.parametrize("status", ["submitted", "in_progress", "supplement"])
async def test_a_case_before_its_decision_is_withdrawn_with_one_row_of_each(
    client: Client, token_for_phone: TokenForPhone, status: str
) -> None:
    await publish("legal_aid", nothing_required("legal_aid"))
    token = await token_for_phone(RESIDENT)
    case = await submitted(client, token)
    if status != "submitted":
        await _set_status(case["id"], status)
    before = await counts()
    answer = await client.post(
        f"{APP}/applications/{case['id']}/withdraw",
        json={"reason": "已在窗口办理"},
        headers=bearer(token),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "withdrawn"
    after = await counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "statuses": 1,
        "audit": 1,
        "outbox": 1,
    }
    row = await application_row(case["id"])
    assert row["closed_at"] is not None


@pytest.mark.parametrize("status", ["decided", "delivered", "rejected", "withdrawn"])
async def test_a_case_decided_or_closed_is_not_withdrawn(
    client: Client, token_for_phone: TokenForPhone, status: str
) -> None:
    await publish("legal_aid", nothing_required("legal_aid"))
    token = await token_for_phone(RESIDENT)
    case = await submitted(client, token)
    await _set_status(case["id"], status)
    before = await counts()
    answer = await client.post(
        f"{APP}/applications/{case['id']}/withdraw", json={}, headers=bearer(token)
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "application_action_illegal"
    assert answer.json()["application_status"] == status
    assert await counts() == before


async def test_a_draft_is_not_withdrawn_and_a_stale_withdrawal_is_412(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish("legal_aid", nothing_required("legal_aid"))
    token = await token_for_phone(RESIDENT)
    draft = await start(client, token, "legal_aid")
    before = await counts()
    refused = await client.post(
        f"{APP}/applications/{draft['id']}/withdraw", json={}, headers=bearer(token)
    )
    assert refused.status_code == 409
    assert await counts() == before
    case = await submitted(client, token)
    before = await counts()
    stale = await client.post(
        f"{APP}/applications/{case['id']}/withdraw",
        json={},
        headers={**bearer(token), "If-Match": f'"{case["version"] - 1}"'},
    )
    assert stale.status_code == 412, stale.text
    assert await counts() == before


async def test_a_submitted_case_takes_no_more_answers_or_materials(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish("legal_aid", nothing_required("legal_aid"))
    token = await token_for_phone(RESIDENT)
    case = await submitted(client, token)
    before = await counts()
    path = f"{APP}/applications/{case['id']}"
    answers = await client.put(
        f"{path}/answers", json={"answers": {"phone": "13800000001"}}, headers=bearer(token)
    )
    again = await client.post(f"{path}/submit", headers=bearer(token))
    assert (answers.status_code, again.status_code) == (409, 409)
    assert await counts() == before
