"""Starting an application: only on a published item, only for an applicant who meets its
conditions (老年人优待证 from 60, read off the identity card), filled in from their licences
and pinned to the version in force."""

from __future__ import annotations

import pytest
from litestar import Litestar

from backend.kernel.vault import Vault
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import (
    APP,
    G07,
    RESIDENT,
    add_item,
    add_version,
    application_row,
    born_years_ago,
    counts,
    demo_document,
    id_card,
    publish,
    resident,
    retire,
    use_licences,
)

SENIOR = "senior_preferential_card"  # 老年人优待证: age 60 or over


async def test_the_day_a_resident_turns_60_they_may_apply_and_not_the_day_before(
    client: Client, app: Litestar, vault: Vault, token_for_phone: TokenForPhone
) -> None:
    await publish(SENIOR)
    await resident(vault, "13900000059", "赵五九")
    await resident(vault, "13900000060", "钱六十")
    await use_licences(
        app,
        {
            "13900000059": [id_card("13900000059", "赵五九", born_years_ago(60, days_later=1))],
            "13900000060": [id_card("13900000060", "钱六十", born_years_ago(60))],
        },
    )
    before = await counts()
    young = await client.post(
        f"{APP}/applications",
        json={"item_code": SENIOR},
        headers=bearer(await token_for_phone("13900000059")),
    )
    assert young.status_code == 422, young.text
    assert young.json()["code"] == "not_eligible"
    assert [e["field"] for e in young.json()["errors"]] == ["age_60_or_over"]
    assert await counts() == before

    old = await client.post(
        f"{APP}/applications",
        json={"item_code": SENIOR},
        headers=bearer(await token_for_phone("13900000060")),
    )
    assert old.status_code == 201, old.text
    assert old.json()["status"] == "draft"


async def test_a_start_is_pinned_to_the_version_in_force_and_filled_from_licences(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    item_id, v1 = await publish(SENIOR)
    token = await token_for_phone("13800000002")  # 王家属, born 1957, with an identity card
    answer = await client.post(
        f"{APP}/applications", json={"item_code": SENIOR}, headers=bearer(token)
    )
    assert answer.status_code == 201, answer.text
    view = answer.json()
    assert answer.headers["etag"] == f'"{view["version"]}"'
    assert view["ref"] is None
    assert (view["item_id"], view["item_version_id"]) == (item_id, v1)
    assert view["place_path"] == G07
    assert view["prefilled"] == {
        "applicant_name": "demo:id_card:wang-jiashu",
        "applicant_id_card": "demo:id_card:wang-jiashu",
    }
    assert view["answers"] == {
        "applicant_name": "王家属",
        "applicant_id_card": "410102195703080025",
    }
    needs = {need["code"]: need for need in view["needs"]}
    assert needs["id_card"]["licences"] == ["demo:id_card:wang-jiashu"]
    row = await application_row(view["id"])
    assert (row["item_id"], row["applicant_id"] > 0, row["status"]) == (item_id, True, "draft")


async def test_a_later_version_is_what_new_applications_start_on(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    item_id, v1 = await publish(SENIOR)
    token = await token_for_phone("13800000002")
    first = await client.post(
        f"{APP}/applications", json={"item_code": SENIOR}, headers=bearer(token)
    )
    await retire(v1)
    v2 = await add_version(item_id, demo_document(SENIOR), version=2)
    second = await client.post(
        f"{APP}/applications", json={"item_code": SENIOR}, headers=bearer(token)
    )
    assert (first.json()["item_version_id"], second.json()["item_version_id"]) == (v1, v2)


@pytest.mark.parametrize("state", ["unknown", "draft only", "retired"])
async def test_an_item_not_open_for_applications_is_not_found(
    client: Client, token_for_phone: TokenForPhone, state: str
) -> None:
    if state != "unknown":
        item_id = await add_item(SENIOR)
        await add_version(
            item_id, demo_document(SENIOR), status="draft" if state == "draft only" else "retired"
        )
    before = await counts()
    answer = await client.post(
        f"{APP}/applications",
        json={"item_code": SENIOR},
        headers=bearer(await token_for_phone(RESIDENT)),
    )
    assert answer.status_code == 404, answer.text
    assert answer.json()["code"] == "item_not_offered"
    assert await counts() == before


async def test_an_applicant_without_a_home_has_no_office_to_apply_to(
    client: Client, vault: Vault, token_for_phone: TokenForPhone
) -> None:
    await publish("childbirth_registration")
    await resident(vault, "13900000077", "无住址", home=None)
    before = await counts()
    answer = await client.post(
        f"{APP}/applications",
        json={"item_code": "childbirth_registration"},
        headers=bearer(await token_for_phone("13900000077")),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "applicant_no_home"
    assert await counts() == before


async def test_a_start_repeated_with_its_idempotency_key_starts_one_application(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish("childbirth_registration")
    headers = {**bearer(await token_for_phone(RESIDENT)), "Idempotency-Key": "start-once"}
    body = {"item_code": "childbirth_registration"}
    first = await client.post(f"{APP}/applications", json=body, headers=headers)
    again = await client.post(f"{APP}/applications", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert (await counts())["applications"] == 1
