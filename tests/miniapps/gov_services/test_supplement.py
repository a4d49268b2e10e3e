"""The resident's answer to a 补正, over HTTP: the applicant only, from a case waiting for it,
with the answers checked as at submit and every material asked for provided anew; each
refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backend.kernel.vault import Vault
from miniapps.gov_services.tables import MaterialItem
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.given import user_id
from tests.miniapps.gov_services.staff_support import (
    G07,
    RESIDENCE_ANSWERS,
    add_material,
    case,
    counts,
    published,
    submitted,
)

RESIDENT = "13800000001"
OTHER_RESIDENT = "13800000016"
STREET_OFFICER = "13800000019"


class Returned:
    def __init__(self, case_id: int, applicant: int, version: int) -> None:
        self.case_id = case_id
        self.applicant = applicant
        self.version = version


@pytest.fixture
async def returned(client: Client, token_for_phone: TokenForPhone, vault: Vault) -> Returned:
    """An accepted 居住证申领, returned for its employer's name and a new photo."""
    item = await published("residence_permit_apply")
    applicant = await user_id(vault, RESIDENT)
    case_id = await submitted(item, applicant_id=applicant, place=G07, answers=RESIDENCE_ANSWERS)
    officer = bearer(await token_for_phone(STREET_OFFICER))
    url = f"/v1/miniapps/gov_services/work/{case_id}"
    assert (await client.post(f"{url}/accept", json={}, headers=officer)).status_code == 200
    request = {"fields": [{"field": "employer"}], "materials": [{"code": "photo", "note": "白底"}]}
    response = await client.post(f"{url}/return-for-supplement", json=request, headers=officer)
    assert response.status_code == 200, response.text
    return Returned(case_id, applicant, response.json()["version"])


async def _answer(
    client: Client, token: str, case_id: int, body: Any, if_match: str | None = None
) -> Any:
    headers = bearer(token) | ({"If-Match": if_match} if if_match else {})
    return await client.post(
        f"/v1/miniapps/gov_services/applications/{case_id}/supplement", json=body, headers=headers
    )


async def test_the_answer_sends_the_case_back_to_its_officers(
    client: Client, token_for_phone: TokenForPhone, returned: Returned
) -> None:
    photo = await add_material(returned.case_id, "photo", by=returned.applicant)
    body = {"answers": {**RESIDENCE_ANSWERS, "employer": "新单位"}, "material_ids": [photo]}
    before = await counts()
    response = await _answer(
        client, await token_for_phone(RESIDENT), returned.case_id, body, f'"{returned.version}"'
    )
    assert response.status_code == 200, response.text
    state = response.json()
    assert (state["status"], state["step"]) == ("in_progress", "review")
    assert state["due_date"] is not None
    assert response.headers["etag"] == f'"{state["version"]}"'
    assert tuple(a - b for a, b in zip(await counts(), before, strict=True)) == (1, 1, 1)
    assert (await case(returned.case_id))["paused_at"] is None


@pytest.mark.parametrize(
    ("who", "body", "if_match", "status", "code"),
    [
        ("other", "valid", None, 403, "application_not_yours"),
        ("applicant", "valid", '"1"', 412, "application_changed"),
        ("applicant", "valid", "one", 400, "application_if_match_invalid"),
        ("applicant", "bad_answer", None, 422, "answers_invalid"),
        ("applicant", "no_photo", None, 422, "application_supplement_incomplete"),
        ("applicant", "old_photo", None, 422, "application_supplement_incomplete"),
        ("applicant", "not_its_photo", None, 422, "application_supplement_incomplete"),
        ("applicant", "not_json_answers", None, 400, None),
    ],
)
async def test_a_refused_answer_changes_nothing(
    client: Client,
    token_for_phone: TokenForPhone,
    returned: Returned,
    who: str,
    body: str,
    if_match: str | None,
    status: int,
    code: str | None,
) -> None:
    photo = await add_material(returned.case_id, "photo", by=returned.applicant)
    earlier = await add_material(returned.case_id, "photo", by=returned.applicant)
    paused_at = (await case(returned.case_id))["paused_at"]
    await MaterialItem.update({MaterialItem.added_at: paused_at - dt.timedelta(hours=1)}).where(
        MaterialItem.id == earlier
    )
    bodies: dict[str, Any] = {
        "valid": {"answers": RESIDENCE_ANSWERS, "material_ids": [photo]},
        "bad_answer": {"answers": {**RESIDENCE_ANSWERS, "phone": "12"}, "material_ids": [photo]},
        "no_photo": {"answers": RESIDENCE_ANSWERS},
        "old_photo": {"answers": RESIDENCE_ANSWERS, "material_ids": [earlier]},
        "not_its_photo": {"answers": RESIDENCE_ANSWERS, "material_ids": [photo + 1000]},
        "not_json_answers": {"answers": "all of them"},
    }
    token = await token_for_phone(RESIDENT if who == "applicant" else OTHER_RESIDENT)
    before_counts, before_row = await counts(), await case(returned.case_id)
    response = await _answer(client, token, returned.case_id, bodies[body], if_match)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code
    assert await counts() == before_counts
    assert await case(returned.case_id) == before_row


async def test_a_case_not_returned_takes_no_answer(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    item = await published("residence_permit_apply")
    applicant = await user_id(vault, RESIDENT)
    case_id = await submitted(item, applicant_id=applicant, place=G07, answers=RESIDENCE_ANSWERS)
    response = await _answer(
        client, await token_for_phone(RESIDENT), case_id, {"answers": RESIDENCE_ANSWERS}
    )
    assert response.status_code == 409
    problem = response.json()
    assert (problem["code"], problem["allowed_actions"]) == (
        "application_action_illegal",
        ["withdraw"],
    )
