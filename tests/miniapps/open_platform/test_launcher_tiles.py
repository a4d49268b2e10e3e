"""Third-party apps in the launcher: a released app is a tile, leading to its H5 page, for
its target roles in the districts that switched it on; a gray version is the tile of the
users in the gray group only (its share of 10,000 users within 2 points); a rollback
restores the tiles before it."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from backend.kernel.services import services_of
from backend.sdk import Claims
from miniapps.open_platform.launch_tiles import LaunchTiles
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    DEVELOPER,
    PLATFORM,
    RESIDENT,
    Person,
    approved,
    manifest,
    png,
    released_app,
    released_version,
    someone,
    switch,
    verified_publisher,
)

DISTRICT_GX, RESIDENT_JINSHUI = "13800000006", "13800000016"
G07 = "zz/gx/fengyang/c03/g07"
SECOND_PAGE = "https://h5.metro.example.com/app/v2.html"


async def _third_party(client: Client, person: Person) -> list[dict[str, Any]]:
    launcher = await client.get("/v1/launcher", headers=person.headers)
    assert launcher.status_code == 200, launcher.text
    return [
        tile
        for section in launcher.json()["sections"]
        for tile in section["tiles"]
        if tile["app_id"] == "open_platform" and tile["target"].startswith("h5:")
    ]


async def _publishing(client: Client, token_for_phone: TokenForPhone) -> dict[str, Person]:
    people = {
        "developer": await someone(client, token_for_phone, DEVELOPER),
        "platform": await someone(client, token_for_phone, PLATFORM),
        "gx": await someone(client, token_for_phone, DISTRICT_GX),
        "resident": await someone(client, token_for_phone, RESIDENT),
        "jinshui": await someone(client, token_for_phone, RESIDENT_JINSHUI),
    }
    await verified_publisher(client, people["developer"], people["platform"])
    return people


async def _on_in_gx(client: Client, people: dict[str, Person]) -> dict[str, Any]:
    """A new app released and switched on in 高新区, as `registered_app` answers."""
    registered = await released_app(client, people["developer"], people["platform"])
    assert (await switch(client, people["gx"], registered["app"]["app_id"])).status_code == 200
    return registered


async def _second_version(client: Client, people: dict[str, Person], app_id: str) -> int:
    made = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": "1.1.0", "manifest": manifest(entry_url=SECOND_PAGE)},
        headers=people["developer"].headers,
    )
    assert made.status_code == 201, made.text
    version_id = int(made.json()["id"])
    await approved(client, people["developer"], people["platform"], version_id)
    return version_id


async def test_a_released_app_is_a_tile_where_its_district_switched_it_on(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _publishing(client, token_for_phone)
    registered = await released_app(client, people["developer"], people["platform"])
    app_id = registered["app"]["app_id"]
    assert await _third_party(client, people["resident"]) == []

    await switch(client, people["gx"], app_id)
    [tile] = await _third_party(client, people["resident"])
    version_id = registered["version_id"]
    assert tile == {
        "app_id": "open_platform",
        "tile_id": "metro-card",
        "title": "郑州地铁",
        "icon": f"/v1/miniapps/open_platform/apps/{app_id}/versions/{version_id}/icon",
        "target": "h5:https://h5.metro.example.com/app/index.html",
        "size": "regular",
        "launches": app_id,
    }
    icon = await client.get(tile["icon"], headers=people["resident"].headers)
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/png"
    assert icon.content == png(96)
    # 金水区 did not switch it on; a developer holds no role it targets where it is on.
    assert await _third_party(client, people["jinshui"]) == []
    assert await _third_party(client, people["developer"]) == []

    # Where the city switched the open platform itself off, none of its apps is there.
    off = await client.put(
        "/v1/admin/miniapps/open_platform/switch",
        json={"enabled": False, "district": "zz/gx"},
        headers=people["gx"].headers,
    )
    assert off.status_code == 200, off.text
    assert await _third_party(client, people["resident"]) == []
    await client.put(
        "/v1/admin/miniapps/open_platform/switch",
        json={"enabled": True, "district": "zz/gx"},
        headers=people["gx"].headers,
    )
    assert len(await _third_party(client, people["resident"])) == 1

    await switch(client, people["gx"], app_id, on=False)
    assert await _third_party(client, people["resident"]) == []


async def test_a_version_asking_for_more_leaves_the_launcher_until_approved(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _publishing(client, token_for_phone)
    registered = await _on_in_gx(client, people)
    app_id = registered["app"]["app_id"]
    data = [
        {"field": "name", "purpose": "实名办理乘车码"},
        {"field": "phone", "purpose": "发送行程通知"},
    ]
    await released_version(
        client, people["developer"], people["platform"], app_id, "1.1.0", data=data
    )
    assert await _third_party(client, people["resident"]) == []
    asks = ["data.name", "data.phone", "profile.read"]
    assert (await switch(client, people["gx"], app_id, asks=asks)).status_code == 200
    assert len(await _third_party(client, people["resident"])) == 1


async def test_a_draft_versions_icon_is_not_out(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _publishing(client, token_for_phone)
    registered = await released_app(client, people["developer"], people["platform"])
    app_id = registered["app"]["app_id"]
    draft = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": "1.1.0", "manifest": manifest()},
        headers=people["developer"].headers,
    )
    unseen = await client.get(
        f"{APP}/apps/{app_id}/versions/{draft.json()['id']}/icon",
        headers=people["resident"].headers,
    )
    assert unseen.status_code == 404
    assert unseen.json()["code"] == "open_version_not_found"


def _resident(user_id: int) -> Claims:
    return Claims(
        sub=str(user_id),
        iss="yimen",
        aud="yimen",
        exp=0,
        iat=0,
        jti="",
        roles=["resident"],
        scope={"resident": [G07]},
    )


async def test_a_gray_version_is_the_tile_of_its_share_of_users_only(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _publishing(client, token_for_phone)
    registered = await _on_in_gx(client, people)
    app_id = registered["app"]["app_id"]
    second = await _second_version(client, people, app_id)
    grayed = await client.post(
        f"{APP}/versions/{second}/gray",
        json={"percent": 30},
        headers=people["developer"].headers,
    )
    assert grayed.status_code == 200, grayed.text

    tiles = LaunchTiles(services_of(app).enablement)
    await tiles.load()
    users = [_resident(u) for u in range(1, 10_001)]
    targets = [[t.target for t in tiles.tiles_for(u)] for u in users]
    assert all(len(found) == 1 for found in targets)  # one tile each: one version or the other
    gray = {
        u for u, found in zip(range(1, 10_001), targets, strict=True) if SECOND_PAGE in found[0]
    }
    assert abs(len(gray) - 3000) <= 200
    again = {u for u in range(1, 10_001) if SECOND_PAGE in tiles.tiles_for(_resident(u))[0].target}
    assert again == gray


async def test_a_rollback_restores_the_tiles_before_it(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    people = await _publishing(client, token_for_phone)
    registered = await _on_in_gx(client, people)
    app_id = registered["app"]["app_id"]
    before = await _third_party(client, people["resident"])
    second = await _second_version(client, people, app_id)
    released = await client.post(
        f"{APP}/versions/{second}/release", headers=people["developer"].headers
    )
    assert released.status_code == 200, released.text
    [tile] = await _third_party(client, people["resident"])
    assert tile["target"] == f"h5:{SECOND_PAGE}"

    rolled = await client.post(
        f"{APP}/apps/{app_id}/rollback",
        json={"version_id": registered["version_id"]},
        headers=people["developer"].headers,
    )
    assert rolled.status_code == 200, rolled.text
    assert await _third_party(client, people["resident"]) == before


async def test_no_tile_where_the_city_switched_the_open_platform_off(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """A resident of 高新区 who also works in 金水区: the platform is on where they work,
    off where the app targets them, so they get neither its tile nor a launch code."""
    people = await _publishing(client, token_for_phone)
    registered = await _on_in_gx(client, people)
    hired = await client.post(
        "/v1/staff",
        json={
            "phone": RESIDENT,
            "name": "王居民",
            "role": "service_officer",
            "scope_path": "zz/jinshui",
        },
        headers=people["platform"].headers,
    )
    assert hired.status_code == 201, hired.text
    off = await client.put(
        "/v1/admin/miniapps/open_platform/switch",
        json={"enabled": False, "district": "zz/gx"},
        headers=people["gx"].headers,
    )
    assert off.status_code == 200, off.text
    both = await someone(client, token_for_phone, RESIDENT)
    assert await _third_party(client, both) == []
    launched = await client.post(
        f"{APP}/apps/{registered['app']['app_id']}/launch", json={}, headers=both.headers
    )
    assert launched.status_code == 403
    assert launched.json()["code"] == "open_app_off_in_district"
