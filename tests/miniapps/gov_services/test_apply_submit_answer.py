"""A submit answers the application exactly as it is read afterwards, though it answers
from the document and materials it read for its checks (bench/gov_services submits this
same smallest valid 居住证申领: eight answers, two licences)."""

from __future__ import annotations

from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import APP, RESIDENT, publish, start

PERMIT = "residence_permit_apply"
ANSWERS = {
    "phone": "13800000001",
    "residence_address": "高新区枫杨街道西岗社区8号楼2单元301",
    "residence_since": "2019-03-01",
    "housing_type": "自有住房",
    "residence_reason": "投靠亲属",
    "collect_method": "窗口领取",
}
LICENCES = {
    "id_card": "demo:id_card:wang-jumin",
    "residence_proof": "demo:property_certificate:wang-jumin",
}


async def test_the_submit_answer_is_the_application_as_read_after(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish(PERMIT)
    token = await token_for_phone(RESIDENT)
    headers = bearer(token)
    draft = await start(client, token, PERMIT)
    one = f"{APP}/applications/{draft['id']}"
    saved = await client.put(f"{one}/answers", json={"answers": ANSWERS}, headers=headers)
    assert saved.status_code == 200, saved.text
    for code, ref in LICENCES.items():
        given = {"material_code": code, "licence_ref": ref, "consent": True}
        answer = await client.post(f"{one}/materials/licences", json=given, headers=headers)
        assert answer.status_code == 201, answer.text
    submitted = await client.post(f"{one}/submit", headers={**headers, "If-Match": '"3"'})
    assert submitted.status_code == 200, submitted.text
    read = await client.get(one, headers=headers)
    assert read.status_code == 200, read.text
    assert submitted.json() == read.json()
    assert submitted.headers["etag"] == read.headers["etag"] == '"4"'
    view = submitted.json()
    assert len(view["answers"]) == 8
    assert sorted((m["material_code"], m["licence_ref"]) for m in view["materials"]) == sorted(
        LICENCES.items()
    )
