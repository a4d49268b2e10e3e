"""Per-district enablement: a released app is off in a district until its admin switches it
on, approving what it asks for; a later version asking for more is off there until the
admin approves again; the switch holds for opening the app and for the open API alike,
and only the district's admin (or the platform's) throws it."""

from __future__ import annotations

from miniapps.open_platform.tables import DistrictSwitch
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    DEVELOPER,
    PLATFORM,
    RESIDENT,
    Person,
    approved,
    manifest,
    open_token,
    registered_app,
    released_app,
    released_version,
    someone,
    switch,
    verified_publisher,
)

DISTRICT_GX, DISTRICT_JINSHUI, RESIDENT_JINSHUI = "13800000006", "13800000017", "13800000016"


async def _people(client: Client, token_for_phone: TokenForPhone) -> dict[str, Person]:
    phones = {
        "developer": DEVELOPER,
        "platform": PLATFORM,
        "resident": RESIDENT,
        "gx": DISTRICT_GX,
        "jinshui": DISTRICT_JINSHUI,
        "resident_jinshui": RESIDENT_JINSHUI,
    }
    people = {name: await someone(client, token_for_phone, p) for name, p in phones.items()}
    await verified_publisher(client, people["developer"], people["platform"])
    return people


async def _state(client: Client, admin: Person, app_id: str, district: str = "zz/gx") -> dict:
    listed = await client.get(
        f"{APP}/district-apps", params={"district": district}, headers=admin.headers
    )
    assert listed.status_code == 200, listed.text
    [found] = [item for item in listed.json()["items"] if item["app_id"] == app_id]
    return dict(found)


async def _opens(client: Client, person: Person, app_id: str) -> int:
    return (await client.get(f"{APP}/apps/{app_id}/entry", headers=person.headers)).status_code


async def test_an_app_is_off_in_a_district_until_its_admin_switches_it_on(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _people(client, token_for_phone)
    app_id = (await released_app(client, people["developer"], people["platform"]))["app"]["app_id"]
    before = await _state(client, people["gx"], app_id)
    assert before["state"] == "off"
    assert before["asks"] == ["data.name", "profile.read"]
    # The admin approves a data field for what the app says it is for.
    assert before["purposes"] == {"data.name": "实名办理乘车码"}
    assert before["approved"] == []
    assert before["changed_at"] is None
    refused = await client.get(f"{APP}/apps/{app_id}/entry", headers=people["resident"].headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "open_app_off_in_district"

    on = await switch(client, people["gx"], app_id)
    assert on.status_code == 200, on.text
    assert on.json()["state"] == "on"
    assert on.json()["approved"] == ["data.name", "profile.read"]
    assert await _opens(client, people["resident"], app_id) == 200
    # 金水区 did not switch it on: its residents do not get it.
    assert await _opens(client, people["resident_jinshui"], app_id) == 403
    assert (await _state(client, people["jinshui"], app_id, "zz/jinshui"))["state"] == "off"

    off = await switch(client, people["gx"], app_id, on=False)
    assert off.json()["state"] == "off"
    assert off.json()["approved"] == ["data.name", "profile.read"]  # kept on record
    assert await _opens(client, people["resident"], app_id) == 403


async def test_only_the_districts_admin_or_the_platforms_throws_its_switch(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _people(client, token_for_phone)
    registered = await released_app(client, people["developer"], people["platform"])
    app_id = registered["app"]["app_id"]
    other = await switch(client, people["jinshui"], app_id, "zz/gx")
    assert other.status_code == 403
    assert other.json()["code"] == "scope_not_allowed"
    listed = await client.get(
        f"{APP}/district-apps", params={"district": "zz/gx"}, headers=people["jinshui"].headers
    )
    assert listed.status_code == 403
    assert await DistrictSwitch.count() == 0
    assert (await switch(client, people["platform"], app_id, "zz/jinshui")).status_code == 200

    # An app not out on the platform does not exist for a district.
    draft = await registered_app(client, people["developer"], "metro-two")
    unseen = await switch(client, people["gx"], draft["app"]["app_id"])
    assert unseen.status_code == 404
    assert unseen.json()["code"] == "open_app_not_found"
    assert await DistrictSwitch.count() == 1


async def test_a_version_asking_for_more_waits_for_the_district_to_approve_again(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _people(client, token_for_phone)
    developer, platform = people["developer"], people["platform"]
    app_id = (await released_app(client, developer, platform))["app"]["app_id"]
    await switch(client, people["gx"], app_id)

    # The same asks again: still on.
    await released_version(client, developer, platform, app_id, "1.1.0")
    assert await _opens(client, people["resident"], app_id) == 200

    data = [
        {"field": "name", "purpose": "实名办理乘车码"},
        {"field": "phone", "purpose": "发送行程通知"},
    ]
    await released_version(client, developer, platform, app_id, "1.2.0", data=data)
    waiting = await _state(client, people["gx"], app_id)
    assert waiting["state"] == "needs_approval"
    assert waiting["asks"] == ["data.name", "data.phone", "profile.read"]
    assert waiting["approved"] == ["data.name", "profile.read"]
    refused = await client.get(f"{APP}/apps/{app_id}/entry", headers=people["resident"].headers)
    assert refused.json()["code"] == "open_app_off_in_district"

    # The admin approves what they were shown, and only that.
    stale = await switch(client, people["gx"], app_id)
    assert stale.status_code == 409
    assert stale.json()["code"] == "open_asks_changed"
    assert stale.json()["asks"] == ["data.name", "data.phone", "profile.read"]
    unnamed = await client.post(
        f"{APP}/apps/{app_id}/district",
        json={"district": "zz/gx", "enabled": True},
        headers=people["gx"].headers,
    )
    assert unnamed.json()["code"] == "open_asks_required"
    assert (await _state(client, people["gx"], app_id))["state"] == "needs_approval"

    again = await switch(client, people["gx"], app_id, asks=waiting["asks"])
    assert again.json()["state"] == "on"
    assert await _opens(client, people["resident"], app_id) == 200


async def test_a_gray_release_to_one_district_asks_nothing_of_another(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _people(client, token_for_phone)
    developer, platform = people["developer"], people["platform"]
    app_id = (await released_app(client, developer, platform))["app"]["app_id"]
    for admin, district in ((people["gx"], "zz/gx"), (people["jinshui"], "zz/jinshui")):
        assert (await switch(client, admin, app_id, district)).status_code == 200
    data = [
        {"field": "name", "purpose": "实名办理乘车码"},
        {"field": "phone", "purpose": "发送行程通知"},
    ]
    made = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": "1.1.0", "manifest": manifest(data=data)},
        headers=developer.headers,
    )
    version_id = made.json()["id"]
    await approved(client, developer, platform, version_id)
    grayed = await client.post(
        f"{APP}/versions/{version_id}/gray",
        json={"districts": ["zz/gx/fengyang"]},
        headers=developer.headers,
    )
    assert grayed.status_code == 200, grayed.text
    assert (await _state(client, people["gx"], app_id))["state"] == "needs_approval"
    assert await _opens(client, people["resident"], app_id) == 403  # lives in fengyang
    # 金水区 still gets the released version, which it approved.
    assert (await _state(client, people["jinshui"], app_id, "zz/jinshui"))["state"] == "on"
    entry = await client.get(
        f"{APP}/apps/{app_id}/entry", headers=people["resident_jinshui"].headers
    )
    assert entry.status_code == 200, entry.text
    assert entry.json()["version_id"] != version_id

    # Nor does a role they hold in the gray district follow them into 金水区.
    hired = await client.post(
        "/v1/staff",
        json={
            "phone": RESIDENT_JINSHUI,
            "name": "金水居民",
            "role": "grid_worker",
            "scope_path": "zz/gx/fengyang/c03/g07",
        },
        headers=platform.headers,
    )
    assert hired.status_code == 201, hired.text
    both = await someone(client, token_for_phone, RESIDENT_JINSHUI)
    assert both.token != people["resident_jinshui"].token
    entry = await client.get(f"{APP}/apps/{app_id}/entry", headers=both.headers)
    assert entry.status_code == 200, entry.text
    assert entry.json()["version_id"] != version_id


async def test_a_district_that_does_not_exist_is_refused(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _people(client, token_for_phone)
    app_id = (await released_app(client, people["developer"], people["platform"]))["app"]["app_id"]
    nowhere = await switch(client, people["platform"], app_id, "zz/nowhere")
    assert nowhere.status_code == 422
    assert nowhere.json()["code"] == "open_district_unknown"
    assert await DistrictSwitch.count() == 0


async def _launched(client: Client, people: dict[str, Person]) -> tuple[str, dict, str]:
    """A code of the resident's launch of a new app on in 高新区: (app id, server, code)."""
    registered = await released_app(client, people["developer"], people["platform"])
    app_id = registered["app"]["app_id"]
    await switch(client, people["gx"], app_id)
    server = await open_token(client, registered)
    launched = await client.post(
        f"{APP}/apps/{app_id}/launch", json={}, headers=people["resident"].headers
    )
    assert launched.status_code == 200, launched.text
    return app_id, server, launched.json()["code"]


async def test_the_open_api_refuses_when_the_city_switched_the_platform_off_there(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _people(client, token_for_phone)
    _, server, code = await _launched(client, people)
    off = await client.put(
        "/v1/admin/miniapps/open_platform/switch",
        json={"enabled": False, "district": "zz/gx"},
        headers=people["gx"].headers,
    )
    assert off.status_code == 200, off.text
    traded = await client.post(f"{APP}/open/session", json={"code": code}, headers=server)
    assert traded.status_code == 403
    assert traded.json()["code"] == "open_app_off_in_district"


async def test_the_open_api_honours_a_district_switched_off_after_the_launch(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _people(client, token_for_phone)
    app_id, server, code = await _launched(client, people)
    await switch(client, people["gx"], app_id, on=False)

    traded = await client.post(f"{APP}/open/session", json={"code": code}, headers=server)
    assert traded.status_code == 403
    assert traded.json()["code"] == "open_app_off_in_district"
