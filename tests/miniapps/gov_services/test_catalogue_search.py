"""Residents find the items on offer by word, category and district, a page at a time;
an item with only a draft, or retired, is nowhere to be found."""

from __future__ import annotations

from typing import Any

from tests.miniapps.gov_services.catalogue_support import Catalogue, document, row_counts

GX = [{"district": "zz/gx", "org": "zz/gx"}]
JINSHUI = [{"district": "zz/jinshui", "org": "zz/jinshui"}]


async def _offer(
    catalogue: Catalogue,
    name: str,
    category: str,
    keywords: list[str],
    orgs: list[dict[str, str]],
    code: str,
) -> int:
    item = await catalogue.published_item(
        code=code,
        name=name,
        category=category,
        keywords=keywords,
        document=document(implementing_orgs=orgs),
    )
    return int(item["id"])


async def _ids(catalogue: Catalogue, **params: Any) -> list[int]:
    response = await catalogue.resident("/items", **params)
    assert response.status_code == 200, response.text
    return [entry["id"] for entry in response.json()["items"]]


async def test_search_by_word_category_and_district(catalogue: Catalogue) -> None:
    card = await _offer(catalogue, "老年人优待证办理", "养老", ["老年", "优待证"], GX, "MZ-001")
    social = await _offer(catalogue, "社会保障卡申领", "社保", ["社保卡"], JINSHUI, "RS-002")
    both = await _offer(catalogue, "高龄津贴申领", "养老", ["高龄", "津贴"], GX + JINSHUI, "MZ-003")
    drafted = (await catalogue.create(code="MZ-004", name="临时救助申请", category="养老"))["item"]
    retired = await _offer(catalogue, "高龄补贴(旧)", "养老", ["高龄"], GX, "MZ-005")
    assert (await catalogue.admin("POST", f"/items/{retired}/retire")).status_code == 200

    assert await _ids(catalogue) == [card, social, both]
    assert await _ids(catalogue, q="优待") == [card]
    assert await _ids(catalogue, q="社保卡") == [social]
    assert await _ids(catalogue, q="津贴 高龄") == [both]
    assert await _ids(catalogue, q="高龄 社保") == []
    assert await _ids(catalogue, q="mz-00") == [card, both]
    assert await _ids(catalogue, q="%") == []
    assert await _ids(catalogue, q="救助") == []
    assert await _ids(catalogue, category="养老") == [card, both]
    assert await _ids(catalogue, district="zz/jinshui") == [social, both]
    assert await _ids(catalogue, district="zz/gx", category="养老", q="高龄") == [both]

    entry = (await catalogue.resident("/items", q="社保卡")).json()["items"][0]
    assert (entry["code"], entry["keywords"], entry["version"]) == ("RS-002", ["社保卡"], 1)
    assert (await catalogue.resident(f"/items/{drafted['id']}")).json()["code"] == "item_not_found"


async def test_a_district_must_be_one(catalogue: Catalogue) -> None:
    before = await row_counts()
    for path in ("zz/gx/fengyang", "zz/nowhere", "not a path"):
        response = await catalogue.resident("/items", district=path)
        assert (response.status_code, response.json()["code"]) == (422, "org_unit_unknown")
        assert response.json()["errors"][0]["field"] == "district"
    assert await row_counts() == before


async def test_pages_follow_each_other_without_repeats_or_gaps(catalogue: Catalogue) -> None:
    offered = [await _offer(catalogue, f"事项{n}", "测试", [], GX, f"PG-{n:03d}") for n in range(5)]
    seen: list[int] = []
    page = (await catalogue.resident("/items", limit=2)).json()
    pages = 1
    while True:
        seen += [entry["id"] for entry in page["items"]]
        if page["next_cursor"] is None:
            break
        if pages == 1:  # one published meanwhile comes at the end, once
            offered.append(await _offer(catalogue, "新事项", "测试", [], GX, "PG-NEW"))
        page = (await catalogue.resident("/items", limit=2, cursor=page["next_cursor"])).json()
        pages += 1
    assert seen == offered
    assert pages == 3
    bad = await catalogue.resident("/items", cursor="not-ours")
    assert (bad.status_code, bad.json()["code"]) == (400, "cursor_invalid")


async def test_unknown_items_and_versions_are_not_found(catalogue: Catalogue) -> None:
    item = await catalogue.published_item()
    other = await catalogue.published_item()
    for path, code in (
        ("/items/999999", "item_not_found"),
        (f"/items/{item['id']}/versions/999999", "item_version_not_found"),
        (f"/items/{other['id']}/versions/{item['version']['id']}", "item_version_not_found"),
    ):
        response = await catalogue.resident(path)
        assert (response.status_code, response.json()["code"]) == (404, code), path
