"""Bad input to Open311 is a 4xx problem with a stable code and stores nothing: a post is
validated like a native report, and every filter of the public reads is checked, never
passed on as a pattern."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx
import pytest

from backend.kernel.db import json_value
from backend.kernel.errors import PROBLEM_MEDIA_TYPE
from miniapps.grid_events.tables import GridEvent
from tests.conftest import Client, bearer
from tests.miniapps.grid_events.test_chain import G07_CENTRE, RESIDENT, People

SHANGHAI = ZoneInfo("Asia/Shanghai")
GOOD_POST = {
    "service_code": "dust",
    "description": "工地扬尘",
    "lat": str(G07_CENTRE["lat"]),
    "long": str(G07_CENTRE["lon"]),
}


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lat": "999"}, "lat"),
        ({"lat": "-91"}, "lat"),
        ({"lat": "nan"}, "lat"),
        ({"lat": "inf"}, "lat"),
        ({"lat": "1e999"}, "lat"),
        ({"lat": "north"}, "lat"),
        ({"long": "181"}, "long"),
        ({"long": "-inf"}, "long"),
        ({"description": "扬" * 100_000}, "description"),
        ({"address_string": "楼" * 50_000}, "address_string"),
    ],
)
async def test_a_post_outside_the_report_constraints_stores_nothing(
    client: Client, people: People, demo: None, changes: dict[str, str], field: str
) -> None:
    response = await client.post(
        "/open311/v2/requests.json",
        data=GOOD_POST | changes,
        headers=bearer(await people.token(RESIDENT)),
    )
    _problem(response, 400, "validation_failed")
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await GridEvent.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "井盖\x00缺失"},
        {"address_string": "\x00"},
        {"attribute[site]": "工地\x00"},
        {"attribute[site][]": "工地\x00"},
    ],
)
async def test_a_post_with_a_nul_stores_nothing(
    client: Client, people: People, demo: None, changes: dict[str, str]
) -> None:
    """PostgreSQL's text holds no NUL: stored, it was a 500."""
    response = await client.post(
        "/open311/v2/requests.json",
        data=GOOD_POST | changes,
        headers=bearer(await people.token(RESIDENT)),
    )
    _problem(response, 400, "text_has_nul")
    assert await GridEvent.count() == 0


@pytest.mark.parametrize("service_code", ["elderly_alert", "group_renting", "ufo", "d" * 5000])
async def test_a_post_to_a_service_not_offered_stores_nothing(
    client: Client, people: People, demo: None, service_code: str
) -> None:
    response = await client.post(
        "/open311/v2/requests.json",
        data=GOOD_POST | {"service_code": service_code},
        headers=bearer(await people.token(RESIDENT)),
    )
    _problem(response, 400, "open311_service_unknown")
    assert await GridEvent.count() == 0


async def test_a_valid_form_post_still_works(client: Client, people: People, demo: None) -> None:
    response = await client.post(
        "/open311/v2/requests.json",
        data={"service_code": "manhole_cover", "attribute[damage]": "cracked", **GOOD_POST}
        | {"service_code": "manhole_cover"},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/json")
    [created] = response.json()
    row = await GridEvent.select().where(GridEvent.id == int(created["service_request_id"])).first()
    assert row is not None
    assert json_value(row["attributes"]) == {"damage": "cracked"}
    assert row["lat"] == pytest.approx(G07_CENTRE["lat"])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"end_date": "0001-01-01T00:00:00+00:00"}, "open311_date_out_of_range"),
        ({"end_date": "0001-01-01T00:00:00+08:00"}, "open311_date_out_of_range"),
        ({"start_date": "9999-12-31T23:59:59-08:00"}, "open311_date_out_of_range"),
        ({"end_date": "0001-01-01"}, "validation_failed"),
        ({"end_date": "2026-01-01T00:00:00"}, "datetime_needs_timezone"),
        ({"start_date": "2026-01-01T00:00:00"}, "datetime_needs_timezone"),
        ({"end_date": "yesterday"}, "validation_failed"),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "open311_dates_reversed",
        ),
        ({"jurisdiction_id": "%"}, "open311_jurisdiction_invalid"),
        ({"jurisdiction_id": "zz/%"}, "open311_jurisdiction_invalid"),
        ({"jurisdiction_id": "z_"}, "open311_jurisdiction_invalid"),
        ({"jurisdiction_id": "zz/gx' OR '1'='1"}, "open311_jurisdiction_invalid"),
        ({"jurisdiction_id": "zz/gx/fengyang/c03/g07"}, "open311_jurisdiction_invalid"),
        ({"jurisdiction_id": "zz/" + "x" * 5000}, "validation_failed"),
        ({"service_code": "ufo"}, "open311_service_unknown"),
        ({"service_code": "dust,%"}, "open311_service_unknown"),
        ({"service_code": ",".join(["dust"] * 5000)}, "validation_failed"),
        ({"status": "anything"}, "validation_failed"),
        ({"service_request_id": "1,x"}, "open311_request_id_invalid"),
        ({"service_request_id": "-1"}, "open311_request_id_invalid"),
        ({"service_request_id": str(2**63)}, "open311_request_id_invalid"),
        ({"service_request_id": "٣"}, "open311_request_id_invalid"),
        ({"service_request_id": ",".join(["1"] * 101)}, "open311_request_id_invalid"),
        ({"service_request_id": ",".join(["1"] * 5000)}, "validation_failed"),
        ({"page": "0"}, "validation_failed"),
        ({"page": "-1"}, "validation_failed"),
        ({"page": str(2**64)}, "validation_failed"),
        ({"page_size": "0"}, "validation_failed"),
        ({"page_size": "100000"}, "validation_failed"),
    ],
)
async def test_a_bad_filter_is_a_problem(
    client: Client, demo: None, params: dict[str, str], code: str
) -> None:
    response = await client.get("/open311/v2/requests.json", params=params)
    _problem(response, 400, code)


async def test_an_unknown_jurisdiction_is_not_found(client: Client, demo: None) -> None:
    response = await client.get("/open311/v2/requests.json", params={"jurisdiction_id": "zz/xx"})
    _problem(response, 404, "open311_jurisdiction_unknown")


@pytest.mark.parametrize(
    "name",
    [str(2**63), str(2**64), "9" * 400, "0", "-1", "٣", "1e3", " 1", "1.json"],
)
async def test_a_request_id_that_no_row_can_have_is_not_found(
    client: Client, demo: None, name: str
) -> None:
    response = await client.get(f"/open311/v2/requests/{name}.json")
    _problem(response, 404, "not_found")


async def test_a_page_past_the_end_is_empty_and_pages_do_not_overlap(
    client: Client, people: People, demo: None
) -> None:
    token = bearer(await people.token(RESIDENT))
    made = []
    for n in range(3):
        place = {"lat": str(34.801 + n * 0.002), "long": str(G07_CENTRE["lon"])}
        response = await client.post(
            "/open311/v2/requests.json", data=GOOD_POST | place, headers=token
        )
        assert response.status_code == 201, response.text
        made.append(response.json()[0]["service_request_id"])
    pages = [
        (await client.get("/open311/v2/requests.json", params={"page": p, "page_size": 2})).json()
        for p in (1, 2, 3)
    ]
    assert [[r["service_request_id"] for r in page] for page in pages] == [
        made[::-1][:2],
        made[::-1][2:],
        [],
    ]


async def test_a_file_where_text_belongs_stores_nothing(
    client: Client, people: People, demo: None
) -> None:
    response = await client.post(
        "/open311/v2/requests.json",
        data={k: v for k, v in GOOD_POST.items() if k != "description"},
        files={"description": ("d.txt", b"x" * 1000, "text/plain")},
        headers=bearer(await people.token(RESIDENT)),
    )
    _problem(response, 400, "validation_failed")
    assert await GridEvent.count() == 0


async def test_filters_that_are_right_still_find(
    client: Client, people: People, demo: None
) -> None:
    created = await client.post(
        "/open311/v2/requests.json", data=GOOD_POST, headers=bearer(await people.token(RESIDENT))
    )
    made = created.json()[0]["service_request_id"]
    now = dt.datetime.now(dt.UTC)
    for params in (
        {"jurisdiction_id": "zz"},
        {"jurisdiction_id": "/zz/gx/"},
        {"service_code": "dust,manhole_cover", "status": "open"},
        {
            "start_date": (now - dt.timedelta(hours=1)).astimezone(SHANGHAI).isoformat(),
            "end_date": (now + dt.timedelta(hours=1)).isoformat(),
        },
        # The ids override every other filter, as the spec says.
        {"service_request_id": f"{made},{2**63 - 1}", "status": "closed"},
    ):
        response = await client.get("/open311/v2/requests.json", params=params)
        assert response.status_code == 200, (params, response.text)
        assert [r["service_request_id"] for r in response.json()] == [made], params
    elsewhere = await client.get(
        "/open311/v2/requests.json", params={"end_date": "2020-01-01T00:00:00+08:00"}
    )
    assert elsewhere.json() == []


@pytest.mark.parametrize(
    "path", ["/services.json", "/services/dust.json", "/requests/1.json", "/requests.json"]
)
async def test_every_read_checks_its_jurisdiction(client: Client, demo: None, path: str) -> None:
    for value in ("%", "zz/_x", "zz/gx/fengyang"):
        response = await client.get(f"/open311/v2{path}", params={"jurisdiction_id": value})
        _problem(response, 400, "open311_jurisdiction_invalid")
    response = await client.get(f"/open311/v2{path}", params={"jurisdiction_id": "zz/xx"})
    _problem(response, 404, "open311_jurisdiction_unknown")


async def test_a_request_is_not_found_in_another_jurisdiction(
    client: Client, people: People, demo: None
) -> None:
    created = await client.post(
        "/open311/v2/requests.json", data=GOOD_POST, headers=bearer(await people.token(RESIDENT))
    )
    path = f"/open311/v2/requests/{created.json()[0]['service_request_id']}.json"
    elsewhere = await client.get(path, params={"jurisdiction_id": "zz/jinshui"})
    _problem(elsewhere, 404, "not_found")
    for here in ("zz/gx", "zz"):
        assert (await client.get(path, params={"jurisdiction_id": here})).status_code == 200
