"""Open311 GeoReport v2 over grid events, and the district switches over it."""

from __future__ import annotations

from miniapps.grid_events.tables import GridEvent
from tests.conftest import Client, bearer
from tests.miniapps.grid_events.test_chain import G07_CENTRE, RESIDENT, People

GX_ADMIN, PLATFORM_ADMIN = "13800000006", "13800000007"


async def test_services_and_their_attributes(client: Client) -> None:
    services = (await client.get("/open311/v2/services.json")).json()
    codes = {s["service_code"] for s in services}
    assert "manhole_cover" in codes
    assert "elderly_alert" not in codes  # a person's alert is never public
    definition = (await client.get("/open311/v2/services/manhole_cover.json")).json()
    assert definition["attributes"][0]["code"] == "damage"
    assert definition["attributes"][0]["datatype"] == "singlevaluelist"
    assert (await client.get("/open311/v2/services/ufo.json")).status_code == 404


async def test_a_311_client_posts_and_reads_back(
    client: Client, people: People, demo: None
) -> None:
    form = {
        "service_code": "manhole_cover",
        "description": "井盖松动",
        "lat": str(G07_CENTRE["lat"]),
        "long": str(G07_CENTRE["lon"]),
        "attribute[damage]": "tilted",
    }
    created = await client.post(
        "/open311/v2/requests.json", data=form, headers=bearer(await people.token(RESIDENT))
    )
    assert created.status_code == 201, created.text
    request_id = created.json()[0]["service_request_id"]
    one = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert one[0]["status"] == "open"
    assert "井盖松动" not in str(one)  # published only after a review that does not exist yet
    assert "reporter" not in str(one)
    in_gx = (
        await client.get(
            "/open311/v2/requests.json", params={"jurisdiction_id": "zz/gx", "status": "open"}
        )
    ).json()
    assert [r["service_request_id"] for r in in_gx] == [request_id]
    elsewhere = (
        await client.get("/open311/v2/requests.json", params={"jurisdiction_id": "zz/jinshui"})
    ).json()
    assert elsewhere == []
    closed = (await client.get("/open311/v2/requests.json", params={"status": "closed"})).json()
    assert closed == []


async def test_posting_needs_a_login(client: Client) -> None:
    response = await client.post(
        "/open311/v2/requests.json", data={"service_code": "dust", "description": "x"}
    )
    assert response.status_code == 401


async def _switch(client: Client, token: str, *, enabled: bool, district: str | None) -> None:
    response = await client.put(
        "/v1/admin/miniapps/grid_events/switch",
        json={"enabled": enabled, "district": district},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text


async def test_a_district_that_switched_grid_events_off_is_not_found(
    client: Client, people: People, demo: None
) -> None:
    resident = await people.token(RESIDENT)
    form = {"service_code": "dust", "description": "工地扬尘", **_at_g07()}
    created = await client.post("/open311/v2/requests.json", data=form, headers=bearer(resident))
    request_id = created.json()[0]["service_request_id"]
    await _switch(client, await people.token(GX_ADMIN), enabled=False, district="zz/gx")

    gx = await client.get("/open311/v2/requests.json", params={"jurisdiction_id": "zz/gx"})
    assert gx.status_code == 404
    assert gx.json()["code"] == "miniapp_unavailable"
    gx_services = await client.get("/open311/v2/services.json", params={"jurisdiction_id": "zz/gx"})
    assert gx_services.status_code == 404
    everywhere = (await client.get("/open311/v2/requests.json")).json()
    assert request_id not in [r["service_request_id"] for r in everywhere]
    assert (await client.get(f"/open311/v2/requests/{request_id}.json")).status_code == 404
    refused = await client.post("/open311/v2/requests.json", data=form, headers=bearer(resident))
    assert refused.status_code == 404
    assert await GridEvent.count() == 1
    jinshui = await client.get(
        "/open311/v2/requests.json", params={"jurisdiction_id": "zz/jinshui"}
    )
    assert jinshui.status_code == 200

    await _switch(client, await people.token(GX_ADMIN), enabled=True, district="zz/gx")
    assert (await client.get(f"/open311/v2/requests/{request_id}.json")).status_code == 200


async def test_switched_off_city_wide_open311_is_not_found(
    client: Client, people: People, demo: None
) -> None:
    admin = await people.token(PLATFORM_ADMIN)
    await _switch(client, admin, enabled=False, district=None)
    for path in ("/services.json", "/services/dust.json", "/requests.json"):
        assert (await client.get(f"/open311/v2{path}")).status_code == 404, path
    await _switch(client, admin, enabled=True, district=None)
    assert (await client.get("/open311/v2/services.json")).status_code == 200


def _at_g07() -> dict[str, str]:
    return {"lat": str(G07_CENTRE["lat"]), "long": str(G07_CENTRE["lon"])}
