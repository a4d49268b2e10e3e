"""A publisher is registered by its developer, one per developer and per organisation, its
统一社会信用代码 checked, and verified by a platform admin, or rejected saying why and then
corrected and sent again. Nobody but its developer and the platform reads it."""

from __future__ import annotations

from miniapps.open_platform.publishers import credit_code_checks
from miniapps.open_platform.tables import Publisher
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    CREDIT_CODES,
    DEVELOPER,
    PLATFORM,
    RESIDENT,
    new_developer,
    someone,
)

METRO = {
    "name": "郑州地铁集团",
    "credit_code": CREDIT_CODES[0],
    "contact_email": "dev@metro.example.com",
}


def test_the_check_character_is_the_standards() -> None:
    assert all(credit_code_checks(code) for code in CREDIT_CODES)
    assert credit_code_checks("91440300708461136T")  # a real company's
    assert not credit_code_checks("91350100M000100Y44")
    assert not credit_code_checks("91350100M000100Y34")


async def test_a_publisher_is_verified_by_the_platform(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    assert (
        await client.get(f"{APP}/publishers/mine", headers=developer.headers)
    ).status_code == 404

    made = await client.post(f"{APP}/publishers", json=METRO, headers=developer.headers)
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending"
    assert made.json()["owner_id"] == developer.user_id

    waiting = await client.get(f"{APP}/publishers/waiting", headers=platform.headers)
    assert [p["id"] for p in waiting.json()["items"]] == [made.json()["id"]]
    verified = await client.post(
        f"{APP}/publishers/{made.json()['id']}/verification",
        json={"verified": True},
        headers=platform.headers,
    )
    assert verified.status_code == 200, verified.text
    mine = await client.get(f"{APP}/publishers/mine", headers=developer.headers)
    assert mine.json()["status"] == "verified"
    assert (await client.get(f"{APP}/publishers/waiting", headers=platform.headers)).json() == {
        "items": []
    }
    again = await client.post(
        f"{APP}/publishers/{made.json()['id']}/verification",
        json={"verified": False, "reason": "材料不全"},
        headers=platform.headers,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "open_publisher_state"


async def test_a_rejection_says_why_and_the_developer_sends_it_again(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    made = (await client.post(f"{APP}/publishers", json=METRO, headers=developer.headers)).json()
    verification = f"{APP}/publishers/{made['id']}/verification"

    silent = await client.post(verification, json={"verified": False}, headers=platform.headers)
    assert silent.status_code == 422
    assert silent.json()["code"] == "open_reason_required"
    rejected = await client.post(
        verification,
        json={"verified": False, "reason": "名称与营业执照不符"},
        headers=platform.headers,
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "名称与营业执照不符"

    corrected = await client.post(
        f"{APP}/publishers",
        json={**METRO, "name": "郑州地铁集团有限公司"},
        headers=developer.headers,
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["id"] == made["id"]
    assert corrected.json()["status"] == "pending"
    assert corrected.json()["reason"] is None


async def test_one_publisher_per_developer_and_per_organisation(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    other = await new_developer(client, token_for_phone, platform, "13900000101")
    assert (
        await client.post(f"{APP}/publishers", json=METRO, headers=developer.headers)
    ).status_code == 201

    twice = await client.post(
        f"{APP}/publishers",
        json={**METRO, "credit_code": CREDIT_CODES[1]},
        headers=developer.headers,
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "open_publisher_taken"
    same_organisation = await client.post(f"{APP}/publishers", json=METRO, headers=other.headers)
    assert same_organisation.status_code == 409
    assert same_organisation.json()["code"] == "open_publisher_taken"
    assert await Publisher.count() == 1


async def test_a_wrong_credit_code_is_refused_and_nothing_kept(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    wrong = await client.post(
        f"{APP}/publishers",
        json={**METRO, "credit_code": "91350100M000100Y44"},
        headers=developer.headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "open_credit_code_invalid"
    shaped_wrong = await client.post(
        f"{APP}/publishers",
        json={**METRO, "credit_code": "91350100M000100Y4"},
        headers=developer.headers,
    )
    assert shaped_wrong.status_code == 400
    assert shaped_wrong.json()["errors"][0]["field"] == "credit_code"
    assert await Publisher.count() == 0


async def test_only_developers_register_and_only_the_platform_verifies(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    resident = await someone(client, token_for_phone, RESIDENT)
    made = (await client.post(f"{APP}/publishers", json=METRO, headers=developer.headers)).json()
    assert (
        await client.post(f"{APP}/publishers", json=METRO, headers=resident.headers)
    ).status_code == 403
    for caller in (developer, resident):
        verified = await client.post(
            f"{APP}/publishers/{made['id']}/verification",
            json={"verified": True},
            headers=caller.headers,
        )
        assert verified.status_code == 403
        assert (
            await client.get(f"{APP}/publishers/waiting", headers=caller.headers)
        ).status_code == 403
    assert (await Publisher.select(Publisher.status).first()) == {"status": "pending"}


async def test_a_trailing_newline_is_no_second_registration_of_a_code(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    sneaky = await client.post(
        f"{APP}/publishers",
        json={**METRO, "credit_code": CREDIT_CODES[0] + "\n"},
        headers=developer.headers,
    )
    assert sneaky.status_code == 400
    assert sneaky.json()["errors"][0]["field"] == "credit_code"
    assert await Publisher.count() == 0


async def test_a_rejected_registration_leaves_the_code_to_the_organisation(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    impostor = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    real = await new_developer(client, token_for_phone, platform, "13900000104")
    made = (await client.post(f"{APP}/publishers", json=METRO, headers=impostor.headers)).json()
    await client.post(
        f"{APP}/publishers/{made['id']}/verification",
        json={"verified": False, "reason": "并非该机构"},
        headers=platform.headers,
    )
    registered = await client.post(f"{APP}/publishers", json=METRO, headers=real.headers)
    assert registered.status_code == 201, registered.text
    # The impostor sending theirs again finds the code taken now.
    again = await client.post(f"{APP}/publishers", json=METRO, headers=impostor.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "open_publisher_taken"
    rows = await Publisher.select(Publisher.owner_id, Publisher.status).order_by(Publisher.id)
    assert rows == [
        {"owner_id": impostor.user_id, "status": "rejected"},
        {"owner_id": real.user_id, "status": "pending"},
    ]
