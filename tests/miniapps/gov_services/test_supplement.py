"""The resident's answer to a 补正, over HTTP: the applicant only, from a case waiting for it,
with the answers checked as at submit and every material asked for provided anew; each
refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backend.kernel.vault import Vault
from miniapps.gov_services.tables import MaterialItem
from tests.authz.city import png
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.given import user_id
from tests.miniapps.gov_services.staff_support import (
    G07,
    RESIDENCE_ANSWERS,
    add_material,
    case,
    counts,
    given_materials,
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
    await given_materials(item, case_id, RESIDENCE_ANSWERS, by=applicant)
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


async def test_the_material_asked_for_is_uploaded_and_answers_the_return(
    client: Client, token_for_phone: TokenForPhone, returned: Returned
) -> None:
    token = await token_for_phone(RESIDENT)
    url = f"/v1/miniapps/gov_services/applications/{returned.case_id}"
    upload = await client.post(
        f"{url}/materials/files",
        data={"material_code": "photo"},
        files={"file": ("photo", png(), "application/octet-stream")},
        headers=bearer(token),
    )
    assert upload.status_code == 201, upload.text
    photo = next(m["id"] for m in upload.json()["materials"] if m["material_code"] == "photo")
    body = {"answers": {**RESIDENCE_ANSWERS, "employer": "新单位"}, "material_ids": [photo]}
    response = await _answer(client, token, returned.case_id, body, upload.headers["etag"])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_progress"


async def test_in_a_return_only_the_materials_asked_for_change(
    client: Client, token_for_phone: TokenForPhone, returned: Returned
) -> None:
    kept = await add_material(returned.case_id, "residence_proof", by=returned.applicant)
    token = await token_for_phone(RESIDENT)
    url = f"/v1/miniapps/gov_services/applications/{returned.case_id}"
    before_counts, before_row = await counts(), await case(returned.case_id)
    removed = await client.delete(f"{url}/materials/{kept}", headers=bearer(token))
    assert removed.status_code == 409, removed.text
    assert removed.json()["code"] == "application_action_illegal"
    assert await counts() == before_counts
    assert await case(returned.case_id) == before_row
    assert await MaterialItem.exists().where(MaterialItem.id == kept)


async def test_the_resident_reads_the_list_of_what_is_missing(
    client: Client, token_for_phone: TokenForPhone, returned: Returned
) -> None:
    response = await client.get(
        f"/v1/miniapps/gov_services/applications/{returned.case_id}/progress",
        headers=bearer(await token_for_phone(RESIDENT)),
    )
    assert response.status_code == 200, response.text
    returned_entry = response.json()["history"][-1]
    assert returned_entry["action"] == "return_for_supplement"
    assert returned_entry["missing"] == {
        "fields": [{"field": "employer", "note": ""}],
        "materials": [{"code": "photo", "note": "白底"}],
    }
    assert response.json()["history"][0]["missing"] is None


async def test_an_answer_that_calls_for_a_material_never_given_is_incomplete(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """Submitted as moving in with family, no proof of work was needed; an answer to the
    补正 that says employment needs one, as a submit would."""
    item = await published("residence_permit_apply")
    applicant = await user_id(vault, RESIDENT)
    answers = {**RESIDENCE_ANSWERS, "residence_reason": "投靠亲属"}
    del answers["employer"]
    case_id = await submitted(item, applicant_id=applicant, place=G07, answers=answers)
    await given_materials(item, case_id, answers, by=applicant)
    officer = bearer(await token_for_phone(STREET_OFFICER))
    url = f"/v1/miniapps/gov_services/work/{case_id}"
    assert (await client.post(f"{url}/accept", json={}, headers=officer)).status_code == 200
    request = {"fields": [{"field": "residence_reason", "note": "请核实"}]}
    response = await client.post(f"{url}/return-for-supplement", json=request, headers=officer)
    assert response.status_code == 200, response.text

    before_counts, before_row = await counts(), await case(case_id)
    body = {"answers": RESIDENCE_ANSWERS}  # 就业, with an employer
    response = await _answer(client, await token_for_phone(RESIDENT), case_id, body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "application_supplement_incomplete"
    assert [e["field"] for e in response.json()["errors"]] == ["/materials/work_or_study_proof"]
    assert await counts() == before_counts
    assert await case(case_id) == before_row


async def test_a_returned_case_offers_the_licences_that_would_do(
    client: Client, token_for_phone: TokenForPhone, returned: Returned
) -> None:
    """A material asked for may be given as a licence: the view names the resident's own."""
    response = await client.get(
        f"/v1/miniapps/gov_services/applications/{returned.case_id}",
        headers=bearer(await token_for_phone(RESIDENT)),
    )
    assert response.status_code == 200, response.text
    needs = {need["code"]: need for need in response.json()["needs"]}
    assert needs["id_card"]["licences"] != []
