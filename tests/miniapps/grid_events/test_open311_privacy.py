"""What Open311's anonymous reads publish: public categories only, a place no finer than a
~100 m cell, and nothing that names, reaches or describes a person."""

from __future__ import annotations

from typing import Any

from miniapps.grid_events.catalogue import CATEGORIES
from miniapps.grid_events.tables import GridEvent
from tests.conftest import Client, bearer
from tests.miniapps.grid_events.test_chain import RESIDENT, People

# Inside grid g07, off any ~100 m cell centre, so a published point that equals it is exact.
EXACT = {"lat": 34.80537, "lon": 113.55561}
PHONE = "13912345678"
FLAT = "科学大道100号3号楼2单元501"
PUBLISHED_FIELDS = {
    "service_request_id",
    "status",
    "service_code",
    "service_name",
    "requested_datetime",
    "updated_datetime",
    "lat",
    "long",
}


async def _report(people: People, category: str, description: str, **extra: Any) -> str:
    response = await people.client.post(
        "/v1/miniapps/grid_events/events",
        json={"category": category, "description": description, "address": FLAT, **EXACT} | extra,
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_person_related_categories_are_never_public() -> None:
    assert not CATEGORIES["elderly_alert"].public
    assert not CATEGORIES["group_renting"].public
    assert CATEGORIES["manhole_cover"].public


async def test_services_list_only_public_categories(client: Client) -> None:
    listed = {s["service_code"] for s in (await client.get("/open311/v2/services.json")).json()}
    assert listed == {code for code, c in CATEGORIES.items() if c.public}
    assert "elderly_alert" not in listed
    for private in ("elderly_alert", "group_renting"):
        response = await client.get(f"/open311/v2/services/{private}.json")
        assert response.status_code == 404, private


async def test_an_elderly_alert_is_in_no_public_read(
    client: Client, people: People, demo: None
) -> None:
    alert = await _report(people, "elderly_alert", f"独居老人王奶奶摔倒, 电话 {PHONE}")

    listed = await client.get("/open311/v2/requests.json")
    assert listed.status_code == 200
    assert alert not in [r["service_request_id"] for r in listed.json()]
    assert PHONE not in listed.text
    one = await client.get(f"/open311/v2/requests/{alert}.json")
    assert one.status_code == 404
    assert one.json()["code"] == "not_found"
    by_id = await client.get("/open311/v2/requests.json", params={"service_request_id": alert})
    assert by_id.status_code == 200
    assert by_id.json() == []
    by_code = await client.get(
        "/open311/v2/requests.json", params={"service_code": "elderly_alert"}
    )
    assert by_code.status_code == 400
    assert by_code.json()["code"] == "open311_service_unknown"


async def test_a_public_report_is_published_coarse_and_without_its_words(
    client: Client, people: People, demo: None
) -> None:
    manhole = await _report(
        people,
        "manhole_cover",
        f"井盖缺失, 我是李四, 电话 {PHONE}",
        attributes={"damage": "missing"},
    )

    for response in (
        await client.get("/open311/v2/requests.json"),
        await client.get(f"/open311/v2/requests/{manhole}.json"),
        await client.get("/open311/v2/requests.json", params={"service_request_id": manhole}),
    ):
        assert response.status_code == 200, response.text
        [published] = response.json()
        assert set(published) == PUBLISHED_FIELDS
        assert published["service_request_id"] == manhole
        for secret in (PHONE, "李四", "井盖缺失", FLAT, "单元", "reporter", "handler"):
            assert secret not in response.text, secret
        assert (published["lat"], published["long"]) != (EXACT["lat"], EXACT["lon"])
        # A cell centre: at most half a cell (~55 m) from the report, and rounded to it.
        assert abs(published["lat"] - EXACT["lat"]) <= 0.0005
        assert abs(published["long"] - EXACT["lon"]) <= 0.0005
        assert round(published["lat"] * 10_000) % 10 == 5
        assert round(published["long"] * 10_000) % 10 == 5


async def test_two_reports_in_one_cell_publish_the_same_place(
    client: Client, people: People, demo: None
) -> None:
    await _report(people, "dust", "工地扬尘")
    await _report(people, "street_vending", "占道经营", lat=EXACT["lat"] + 0.0002)
    places = {(r["lat"], r["long"]) for r in (await client.get("/open311/v2/requests.json")).json()}
    assert len(places) == 1


async def test_a_stored_point_that_is_no_point_is_published_as_none(
    client: Client, people: People, demo: None
) -> None:
    # As a post stored them before posts were checked.
    made = await _report(people, "dust", "工地扬尘")
    await GridEvent.update({GridEvent.lat: 999.0, GridEvent.lon: -999.0}).where(
        GridEvent.id == int(made)
    )
    response = await client.get(f"/open311/v2/requests/{made}.json")
    assert response.status_code == 200, response.text
    assert (response.json()[0]["lat"], response.json()[0]["long"]) == (None, None)
