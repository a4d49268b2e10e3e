"""Submitting: the whole draft held to the version it was started on, every problem listed
by pointer, the licences behind it checked again; then a ref, the first step and its office,
written with one history, audit and outbox row."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import msgspec
from litestar import Litestar

from backend.kernel.vault import Vault
from miniapps.gov_services.licences.demo import DEMO_LICENCES
from miniapps.gov_services.licences.fixture import FixtureLicence
from miniapps.gov_services.tables import MaterialItem
from tests.authz.city import png
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import (
    APP,
    RESIDENT,
    add_version,
    application_row,
    counts,
    demo_document,
    legal_aid_drafts,
    publish,
    resident,
    retire,
    start,
    use_licences,
)

BIRTH = "childbirth_registration"  # 生育登记: both parents' ID cards and the 结婚证
SENIOR = "senior_preferential_card"
MOTHER = "13800000002"
WANG_ID = "41010219910512003X"
BIRTH_ANSWERS = {
    "mother_name": "李静",
    "mother_id_card": "410102199307160048",
    "father_name": "王居民",
    "father_id_card": WANG_ID,
    "phone": "13800000001",
    "child_order": 1,
    "residence_address": "郑州市高新区枫杨街道西岗社区8号楼2单元301",
}


async def _give_licence(
    client: Client, headers: dict[str, str], draft: dict[str, Any], code: str, ref: str
) -> None:
    answer = await client.post(
        f"{APP}/applications/{draft['id']}/materials/licences",
        json={"material_code": code, "licence_ref": ref, "consent": True},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text


async def _birth_draft(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    draft = await start(client, headers["Authorization"].removeprefix("Bearer "), BIRTH)
    saved = await client.put(
        f"{APP}/applications/{draft['id']}/answers",
        json={"answers": BIRTH_ANSWERS},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    return draft


async def test_the_marriage_certificate_licence_satisfies_childbirth_registration(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish(BIRTH)
    headers = bearer(await token_for_phone(RESIDENT))
    draft = await _birth_draft(client, headers)
    assert draft["answers"] == {"marriage_cert_no": "J4101022018004217"}
    assert draft["prefilled"] == {"marriage_cert_no": "demo:marriage_certificate:wang-jumin"}
    await _give_licence(client, headers, draft, "parents_id_cards", "demo:id_card:wang-jumin")
    await _give_licence(
        client, headers, draft, "marriage_certificate", "demo:marriage_certificate:wang-jumin"
    )
    before = await counts()
    answer = await client.post(f"{APP}/applications/{draft['id']}/submit", headers=headers)
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert re.fullmatch(r"\d{8}\d{6}", view["ref"]), view["ref"]
    assert (view["status"], view["current_step"]) == ("submitted", "accept")
    row = await application_row(draft["id"])
    assert row["assignee_org"] == "zz/gx/fengyang"  # the step runs at the applicant's street
    assert row["submitted_at"] is not None
    after = await counts()
    assert {k: after[k] - before[k] for k in after} == {
        "applications": 0,
        "statuses": 1,
        "materials": 0,
        "refs": 1,
        "audit": 1,
        "outbox": 1,
    }
    certificate = await DEMO_LICENCES.licence("demo:marriage_certificate:wang-jumin")
    assert certificate is not None
    kept = await MaterialItem.select().where(MaterialItem.material_code == "marriage_certificate")
    assert [(m["licence_ref"], m["sha256"], m["file_key"]) for m in kept] == [
        (certificate.ref, certificate.sha256, None)
    ]


async def test_an_incomplete_draft_is_refused_with_every_problem_by_pointer(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish(BIRTH)
    token = await token_for_phone(RESIDENT)
    draft = await start(client, token, BIRTH)
    before = await counts()
    answer = await client.post(f"{APP}/applications/{draft['id']}/submit", headers=bearer(token))
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "application_incomplete"
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"/answers/mother_name", "/answers/child_order", "/materials/parents_id_cards"} <= fields
    assert "/materials/marriage_certificate" in fields
    assert await counts() == before
    assert (await application_row(draft["id"]))["status"] == "draft"


async def test_a_prefilled_answer_is_checked_against_the_licence_as_it_stands(
    client: Client, app: Litestar, vault: Vault, token_for_phone: TokenForPhone
) -> None:
    await publish(BIRTH)
    phone = "13900000101"
    await resident(vault, phone, "周某")
    certificate = FixtureLicence(
        type="marriage_certificate",
        ref="test:marriage:1",
        issued_by="郑州市高新区民政局",
        fields={"cert_no": "J4101022020000001"},
    )
    await use_licences(app, {phone: [certificate]})
    headers = bearer(await token_for_phone(phone))
    draft = await _birth_draft(client, headers)
    await _give_licence(client, headers, draft, "marriage_certificate", "test:marriage:1")
    await client.post(
        f"{APP}/applications/{draft['id']}/materials/files",
        data={"material_code": "parents_id_cards"},
        files={"file": ("ids.png", png(), "image/png")},
        headers=headers,
    )
    # The certificate is reissued with another number after the draft was filled in.
    reissued = msgspec.structs.replace(certificate, fields={"cert_no": "J4101022020000002"})
    await use_licences(app, {phone: [reissued]})
    before = await counts()
    answer = await client.post(f"{APP}/applications/{draft['id']}/submit", headers=headers)
    assert answer.status_code == 422, answer.text
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"/answers/marriage_cert_no", "/materials/marriage_certificate"}
    assert await counts() == before


def _with_required_field(code: str) -> Any:
    """The item's document with one more required field: what a v2 might ask."""
    doc = demo_document(code)
    schema = dict(doc.form.schema)
    schema["properties"] = {**schema["properties"], "hobby": {"type": "string", "minLength": 1}}
    schema["required"] = [*schema["required"], "hobby"]
    first = doc.form.ui.pages[0]
    pages = (
        msgspec.structs.replace(first, fields=(*first.fields, "hobby")),
        *doc.form.ui.pages[1:],
    )
    ui = msgspec.structs.replace(doc.form.ui, pages=pages)
    form = msgspec.structs.replace(doc.form, schema=schema, ui=ui)
    return msgspec.structs.replace(doc, form=form)


async def test_a_case_started_on_v1_is_held_to_v1_after_v2_is_published(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    item_id, v1 = await publish(SENIOR)
    token = await token_for_phone(MOTHER)
    headers = bearer(token)
    draft = await start(client, token, SENIOR)
    await retire(v1)
    v2 = await add_version(item_id, _with_required_field(SENIOR), version=2)
    path = f"{APP}/applications/{draft['id']}"
    saved = await client.put(
        f"{path}/answers",
        json={
            "answers": {
                "phone": "13800000002",
                "residence_address": "郑州市高新区枫杨街道西岗社区8号楼",
                "collect_method": "窗口领取",
                "hobby": "not a field of v1",
            }
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert "hobby" not in saved.json()["answers"]
    await _give_licence(client, headers, draft, "id_card", "demo:id_card:wang-jiashu")
    photo = await client.post(
        f"{path}/materials/files",
        data={"material_code": "photo"},
        files={"file": ("me.png", png(), "image/png")},
        headers=headers,
    )
    assert photo.status_code == 201, photo.text
    submitted = await client.post(f"{path}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text  # v2's "hobby" is not asked of it
    assert submitted.json()["item_version_id"] == v1
    assert (await start(client, token, SENIOR))["item_version_id"] == v2


async def test_submits_at_once_take_distinct_refs_in_sequence(
    client: Client, vault: Vault, token_for_phone: TokenForPhone
) -> None:
    phones = [f"1390000020{n}" for n in range(5)]
    drafts = await legal_aid_drafts(client, vault, token_for_phone, phones)
    answers = await asyncio.gather(
        *(client.post(f"{APP}/applications/{d['id']}/submit", headers=bearer(t)) for t, d in drafts)
    )
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    refs = sorted(a.json()["ref"] for a in answers)
    assert [int(ref[8:]) for ref in refs] == [1, 2, 3, 4, 5]
    assert len({ref[:8] for ref in refs}) == 1


async def test_a_draft_submitted_twice_at_once_is_written_once_beside_another(
    client: Client, vault: Vault, token_for_phone: TokenForPhone
) -> None:
    """The second of two submits of one draft at once is refused, and another resident's
    submit beside them is written. The refused one took no number: none is skipped."""
    phones = ["13900000400", "13900000401"]
    drafts = await legal_aid_drafts(client, vault, token_for_phone, phones)
    (token, twice), (other_token, other) = drafts
    before = await counts()
    answers = await asyncio.gather(
        client.post(f"{APP}/applications/{twice['id']}/submit", headers=bearer(token)),
        client.post(f"{APP}/applications/{twice['id']}/submit", headers=bearer(token)),
        client.post(f"{APP}/applications/{other['id']}/submit", headers=bearer(other_token)),
    )
    codes = [a.status_code for a in answers]
    assert sorted(codes[:2]) == [200, 409], [a.text for a in answers]
    assert codes[2] == 200, answers[2].text
    refs = sorted(int(a.json()["ref"][8:]) for a in answers if a.status_code == 200)
    assert refs == [1, 2]
    after = await counts()
    written = {k: after[k] - before[k] for k in ("applications", "statuses", "audit", "outbox")}
    assert written == {"applications": 0, "statuses": 2, "audit": 2, "outbox": 2}
    assert (await application_row(twice["id"]))["status"] == "submitted"


async def test_submits_at_once_are_each_written_with_their_own_number_and_rows(
    client: Client, vault: Vault, token_for_phone: TokenForPhone
) -> None:
    """Eight residents submit at once, one of them with a stale If-Match: the seven are
    written, each with its own number (consecutive: they were taken together) and one
    history, audit and outbox row; the stale one is refused and changes nothing."""
    phones = [f"139000005{n:02d}" for n in range(8)]
    drafts = await legal_aid_drafts(client, vault, token_for_phone, phones)
    before = await counts()
    answers = await asyncio.gather(
        *(
            client.post(
                f"{APP}/applications/{draft['id']}/submit",
                headers={**bearer(token), "If-Match": f'"{draft["version"] + (n == 3)}"'},
            )
            for n, (token, draft) in enumerate(drafts)
        )
    )
    codes = [answer.status_code for answer in answers]
    assert codes == [200, 200, 200, 412, 200, 200, 200, 200], [a.text for a in answers]
    refs = sorted(int(a.json()["ref"][8:]) for n, a in enumerate(answers) if n != 3)
    assert refs == list(range(1, 8))
    after = await counts()
    written = {k: after[k] - before[k] for k in ("applications", "statuses", "audit", "outbox")}
    assert written == {"applications": 0, "statuses": 7, "audit": 7, "outbox": 7}
    for n, (_, draft) in enumerate(drafts):
        row = await application_row(draft["id"])
        assert row["status"] == ("draft" if n == 3 else "submitted")
        assert row["version"] == draft["version"] + (n != 3)
