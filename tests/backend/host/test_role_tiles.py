"""Each role that has work of its own finds it in the launcher, and the tile leads to routes
that answer it: the installed mini-apps and the host's console, as a city runs them."""

from __future__ import annotations

import pytest

from backend.kernel.roles import Role
from tests.conftest import Client, TokenFor, bearer

# What each role sees beyond what every resident sees. Lawyers, mediators, developers and
# family members get tiles of their own with the mini-apps for them.
OWN_TILES = {
    Role.GRID_WORKER: {"grid_events/queue", "elderly_care/elders"},
    Role.CARE_WORKER: {"elderly_care/elders"},
    Role.COMMUNITY_ADMIN: {"grid_events/console", "library/manage", "elderly_care/elders"},
    Role.DISTRICT_ADMIN: {"grid_events/console", "host/miniapps"},
    Role.PLATFORM_ADMIN: {"host/miniapps", "open_platform/review"},
    Role.HEALTH_OFFICIAL: {"health_code/manage"},
    Role.CHECKPOINT_STAFF: {"health_code/scan"},
    Role.MERCHANT: {"health_code/places", "payment/collect", "payment/statements"},
}


async def _tiles(client: Client, token: str) -> set[str]:
    response = await client.get("/v1/launcher", headers=bearer(token))
    assert response.status_code == 200, response.text
    sections = response.json()["sections"]
    return {f"{t['app_id']}/{t['tile_id']}" for s in sections for t in s["tiles"]}


@pytest.mark.parametrize("role", list(OWN_TILES))
async def test_each_role_has_tiles_of_its_own(
    client: Client, token_for: TokenFor, role: Role
) -> None:
    everyone = await _tiles(client, await token_for(Role.RESIDENT))
    assert await _tiles(client, await token_for(role)) - everyone == OWN_TILES[role]


async def test_the_console_tile_leads_to_the_console(client: Client, token_for: TokenFor) -> None:
    for role in (Role.PLATFORM_ADMIN, Role.DISTRICT_ADMIN, Role.COMMUNITY_ADMIN):
        token = await token_for(role)
        shown = "host/miniapps" in await _tiles(client, token)
        listed = await client.get("/v1/admin/miniapps", headers=bearer(token))
        assert listed.status_code == (200 if shown else 403), (role, listed.text)


async def test_the_place_codes_tile_lists_the_merchants_own_places(
    client: Client, token_for: TokenFor
) -> None:
    merchant = bearer(await token_for(Role.MERCHANT))
    registered = await client.post(
        "/v1/miniapps/health_code/places",
        json={"name": "西岗超市", "org_path": "zz/gx/fengyang/c03"},
        headers=merchant,
    )
    assert registered.status_code == 201, registered.text
    listed = await client.get("/v1/miniapps/health_code/places", headers=merchant)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["next_cursor"] is None
    assert [{**place, "code": ""} for place in page["items"]] == [{**registered.json(), "code": ""}]
    resident = bearer(await token_for(Role.RESIDENT))
    checked_in = await client.post(  # the listed code is the place's (signed afresh each time)
        "/v1/miniapps/health_code/check-ins",
        json={"code": page["items"][0]["code"]},
        headers=resident,
    )
    assert checked_in.status_code == 201, checked_in.text
    assert checked_in.json()["place"] == "西岗超市"
    admin = bearer(await token_for(Role.COMMUNITY_ADMIN))
    others = await client.get("/v1/miniapps/health_code/places", headers=admin)
    assert others.json()["items"] == []  # places are listed to whoever registered them
