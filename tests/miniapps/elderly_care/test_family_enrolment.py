"""A family member enrols their elder by phone: the elder is enrolled as by family and
asked to accept them; until then the member sees nothing; and the answer never tells
whether a phone is a resident's."""

from __future__ import annotations

from miniapps.elderly_care.tables import Elder, FamilyBinding
from push.tables import InboxItem
from tests.conftest import Client, TokenForPhone
from tests.miniapps.elderly_care.circle import APP, DAUGHTER, ELDER, someone
from tests.support import notices_recorded


async def test_a_daughter_enrols_her_father_who_then_lets_her_in(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    daughter = await someone(client, token_for_phone, DAUGHTER)
    father = await someone(client, token_for_phone, ELDER)
    body = {"phone": ELDER, "relation": "女儿", "living_alone": True}
    enrolled = await client.post(f"{APP}/family/enrolments", json=body, headers=daughter.headers)
    assert enrolled.status_code == 204, enrolled.text
    [elder] = await Elder.select()
    assert (elder["user_id"], elder["enrolled_as"], elder["enrolled_by"]) == (
        father.user_id,
        "family",
        daughter.user_id,
    )
    assert elder["living_alone"] is True
    [binding] = await FamilyBinding.select()
    assert (binding["member_id"], binding["status"], binding["relation"]) == (
        daughter.user_id,
        "pending",
        "女儿",
    )
    await notices_recorded()
    asked = await InboxItem.select(InboxItem.title).where(InboxItem.user_id == father.user_id)
    assert [row["title"] for row in asked] == ["亲情关联申请"]
    hidden = await client.get(f"{APP}/elders/{elder['id']}", headers=daughter.headers)
    assert hidden.status_code == 404

    again = await client.post(f"{APP}/family/enrolments", json=body, headers=daughter.headers)
    assert again.status_code == 204
    assert (await Elder.count(), await FamilyBinding.count()) == (1, 1)
    await notices_recorded()
    assert await InboxItem.count().where(InboxItem.user_id == father.user_id) == 1
    accepted = await client.post(
        f"{APP}/elders/{elder['id']}/family/{binding['id']}/accept",
        json={},
        headers=father.headers,
    )
    assert accepted.status_code == 200, accepted.text
    shown = await client.get(f"{APP}/elders/{elder['id']}", headers=daughter.headers)
    assert (shown.status_code, shown.json()["enrolled_as"]) == (200, "family")


async def test_an_unknown_phone_or_ones_own_answers_alike_and_writes_nothing(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    daughter = await someone(client, token_for_phone, DAUGHTER)
    for phone in ("13999999999", DAUGHTER, "13800000006"):  # no one; herself; no grid home
        answer = await client.post(
            f"{APP}/family/enrolments",
            json={"phone": phone, "relation": "女儿"},
            headers=daughter.headers,
        )
        assert answer.status_code == 204, answer.text
    assert (await Elder.count(), await FamilyBinding.count()) == (0, 0)
    bad = await client.post(
        f"{APP}/family/enrolments",
        json={"phone": "13800000001\n", "relation": "女儿"},
        headers=daughter.headers,
    )
    assert bad.status_code == 400
