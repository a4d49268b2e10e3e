"""GET /v1/orgs: the org tree a level at a time, each level a page at a time, in the order
the city listed its units."""

from __future__ import annotations

from typing import Any

from backend.kernel.roles import Role
from tests.conftest import Client, TokenFor, bearer


async def _pages(client: Client, token: str, **params: Any) -> list[dict[str, Any]]:
    pages = []
    for _ in range(20):  # a cursor that names no later page would loop for ever
        response = await client.get("/v1/orgs", params=params, headers=bearer(token))
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if response.json()["next_cursor"] is None:
            return pages
        params["cursor"] = response.json()["next_cursor"]
    raise AssertionError("the pages never end")


async def test_the_cities_then_their_units(client: Client, token_for: TokenFor) -> None:
    token = await token_for(Role.RESIDENT)
    [cities] = await _pages(client, token)
    assert [c["path"] for c in cities["items"]] == ["zz"]
    [districts] = await _pages(client, token, parent="zz")
    assert [(d["path"], d["name"], d["level"]) for d in districts["items"]] == [
        ("zz/gx", "高新区", "district"),
        ("zz/jinshui", "金水区", "district"),
    ]


async def test_a_level_comes_a_page_at_a_time(client: Client, token_for: TokenFor) -> None:
    token = await token_for(Role.RESIDENT)
    pages = await _pages(client, token, parent="zz/gx/fengyang/c03", limit=1)
    assert [[g["path"] for g in page["items"]] for page in pages] == [
        ["zz/gx/fengyang/c03/g07"],
        ["zz/gx/fengyang/c03/g08"],
    ]
    assert all(g["has_polygon"] for page in pages for g in page["items"])


async def test_an_unknown_parent_or_cursor_is_refused(client: Client, token_for: TokenFor) -> None:
    token = bearer(await token_for(Role.RESIDENT))
    unknown = await client.get("/v1/orgs", params={"parent": "zz/nowhere"}, headers=token)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "org_unknown")
    bad = await client.get("/v1/orgs", params={"parent": "zz", "cursor": "!!"}, headers=token)
    assert (bad.status_code, bad.json()["code"]) == (400, "cursor_invalid")
