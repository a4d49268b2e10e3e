"""The health code's lists page by keyset cursors: `{items, next_cursor}`, each item once and
in order however the pages are cut, and a cursor not given by the list is a 400 naming it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backend.directory.users.service import account_for_phone, assign_role
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from miniapps.health_code.tables import CheckIn, Scan
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.health_code.holders import enrolled
from tests.miniapps.health_code.problems import assert_problem
from tests.support import eventually

APP = "/v1/miniapps/health_code"
C03 = "zz/gx/fengyang/c03"
RESIDENT, NEIGHBOUR, WORKER = "13800000001", "13800000002", "13800000003"


def _window() -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    return {
        "since": (now - dt.timedelta(days=1)).isoformat(),
        "until": (now + dt.timedelta(minutes=5)).isoformat(),
    }


async def _all_pages(
    client: Client, path: str, headers: dict[str, str], **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """Every item through the cursors, and how many pages held them."""
    items: list[dict[str, Any]] = []
    pages = 0
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 50, "the cursors do not end"


async def _me(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def test_a_status_history_pages_oldest_first(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    resident = await token_for_phone(RESIDENT)
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    user_id = await _me(client, resident)
    for colour in ("yellow", "red", "green"):
        response = await client.put(
            f"{APP}/statuses/{user_id}", json={"colour": colour}, headers=official
        )
        assert response.status_code == 200, response.text
    history, pages = await _all_pages(
        client, f"{APP}/statuses/{user_id}/history", bearer(resident), limit=2
    )
    assert [h["colour"] for h in history] == ["yellow", "red", "green"]
    assert pages == 2


async def test_visitors_page_in_time_order_and_a_late_visit_comes_last(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    merchant = bearer(await token_for(Role.MERCHANT))
    place = (
        await client.post(
            f"{APP}/places", json={"name": "西岗菜市场", "org_path": C03}, headers=merchant
        )
    ).json()
    visitors = [await token_for_phone(p) for p in (RESIDENT, NEIGHBOUR, WORKER)]
    for token in visitors:
        visit = await client.post(
            f"{APP}/check-ins", json={"code": place["code"]}, headers=bearer(token)
        )
        assert visit.status_code == 201, visit.text
    path = f"{APP}/places/{place['id']}/visitors"
    first = await client.get(path, params={**_window(), "limit": 2}, headers=merchant)
    assert len(first.json()["items"]) == 2
    # A visit recorded at the very same time as the last one shown, after the page was cut:
    # the key holds the row too, so it is neither skipped nor shown twice.
    last_shown = (await CheckIn.select().order_by(CheckIn.at, CheckIn.id))[1]
    await CheckIn.insert(
        CheckIn(
            place_id=place["id"], user_id=last_shown["user_id"], colour="green", at=last_shown["at"]
        )
    )
    rest = await client.get(
        path,
        params={**_window(), "limit": 2, "cursor": first.json()["next_cursor"]},
        headers=merchant,
    )
    shown = first.json()["items"] + rest.json()["items"]
    assert rest.json()["next_cursor"] is None
    assert len(shown) == 4
    assert [v["at"] for v in shown] == sorted(v["at"] for v in shown)


async def test_contacts_page_once_each_across_check_ins_and_checkpoints(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    """The neighbour checked in near two of the resident's stays: one contact, not two."""
    merchant = bearer(await token_for(Role.MERCHANT))
    place = (
        await client.post(
            f"{APP}/places", json={"name": "西岗菜市场", "org_path": C03}, headers=merchant
        )
    ).json()
    resident, neighbour = await token_for_phone(RESIDENT), await token_for_phone(NEIGHBOUR)
    for token in (resident, neighbour, resident, await token_for_phone(WORKER)):
        visit = await client.post(
            f"{APP}/check-ins", json={"code": place["code"]}, headers=bearer(token)
        )
        assert visit.status_code == 201, visit.text
    staff = bearer(await token_for(Role.CHECKPOINT_STAFF))
    for token in (resident, neighbour):
        phone, credential = await enrolled(client, token)
        scanned = await client.post(
            f"{APP}/scans", json={"text": phone.show(credential), "place": "东门"}, headers=staff
        )
        assert scanned.json()["valid"] is True

    async def logged() -> bool:
        return bool(await Scan.count() == 2)

    await eventually(logged)
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    path = f"{APP}/contacts/{await _me(client, resident)}"
    everything, _ = await _all_pages(client, path, official, **_window(), limit=100)
    one_by_one, pages = await _all_pages(client, path, official, **_window(), limit=1)
    assert one_by_one == everything
    assert pages == 3
    assert sorted((v["name"], v["via"]) for v in everything) == [
        ("李网格", "place_code"),
        ("王家属", "checkpoint"),
        ("王家属", "place_code"),
    ]


async def test_risk_levels_page_by_community(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """A grid worker of two communities sees each once, a page each."""
    worker = await account_for_phone(phone="13900000888", vault=vault, name="双社区网格员")
    await assign_role(user_id=worker, role=Role.GRID_WORKER, scope_path="zz/gx/fengyang/c03/g07")
    await assign_role(user_id=worker, role=Role.GRID_WORKER, scope_path="zz/gx/fengyang/c04/g01")
    token = await token_for_phone("13900000888")
    levels, pages = await _all_pages(client, f"{APP}/risk-levels", bearer(token), limit=1)
    assert [level["community"] for level in levels] == [C03, "zz/gx/fengyang/c04"]
    assert pages == 2


@pytest.mark.parametrize(
    ("listed", "cursor"),
    [
        pytest.param("contacts", "!!", id="garbage"),
        pytest.param("contacts", "aWQ6Mw", id="an-id-cursor-of-another-list"),
        pytest.param("contacts", "WyJ4Il0", id="a-risk-level-position"),
        pytest.param(
            "contacts",
            "WyIwMDAwLTAxLTAxVDAwOjAwOjAwWiIsInBsYWNlX2NvZGUiLDFd",
            id="year-zero",
        ),
        pytest.param(
            "contacts",
            "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwicGxhY2VfY29kZSIsMV0",
            id="before-year-one-in-utc",
        ),
        pytest.param(
            "contacts",
            "WyI5OTk5LTEyLTMxVDIzOjU5OjU5LTAxOjAwIiwicGxhY2VfY29kZSIsMV0",
            id="after-9999-in-utc",
        ),
        pytest.param(
            "risk-levels",
            "WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsInBsYWNlX2NvZGUiLDFd",
            id="a-visit-position",
        ),
        pytest.param("risk-levels", "WzFd", id="a-number-for-a-community"),
    ],
)
async def test_a_cursor_the_list_did_not_give_is_named(
    client: Client, token_for: TokenFor, listed: str, cursor: str
) -> None:
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    user_id = await _me(client, await token_for(Role.RESIDENT))
    path = f"{APP}/contacts/{user_id}" if listed == "contacts" else f"{APP}/risk-levels"
    response = await client.get(path, params={**_window(), "cursor": cursor}, headers=official)
    assert_problem(response, 400, "cursor_invalid")
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]
