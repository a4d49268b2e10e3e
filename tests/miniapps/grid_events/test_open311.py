"""Open311 GeoReport v2 over grid events."""

from __future__ import annotations

from tests.conftest import Client, bearer
from tests.miniapps.grid_events.test_chain import G07_CENTRE, RESIDENT, People


async def test_services_and_their_attributes(client: Client) -> None:
    services = (await client.get("/open311/v2/services.json")).json()
    assert {"manhole_cover", "elderly_alert"} <= {s["service_code"] for s in services}
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
    assert one[0]["description"] == "井盖松动"
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
