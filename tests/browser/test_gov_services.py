"""办事 in Chromium: a resident finds 法律援助申请 in the catalogue, fills the form the page
draws from the item's JSON Schema and UI hints (a nested object, a switch that shows another
field, a select, prefilled read-only answers), is told the API's own words for a wrong
answer, saves the draft and finds it again after a reload, gives the materials (an
e-licence, a signed commitment, an uploaded file) and submits; the progress screen follows
the case as the district officer handles it through the API, and the resident rates it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.live import PHONE_SIZE, accessibility_violations, log_in, screenshot

PHONE = ViewportSize(width=PHONE_SIZE["width"], height=PHONE_SIZE["height"])
RESIDENT, DISTRICT_OFFICER = "13800000001", "13800000020"
APP = "/v1/miniapps/gov_services"
ITEM = "legal_aid"  # every step at the district (zz/gx), by one service_officer there


async def _token(http: httpx.AsyncClient, phone: str) -> dict[str, str]:
    code = (await http.post("/v1/auth/otp", json={"phone": phone})).json()["dev_code"]
    login = await http.post("/v1/auth/login", json={"phone": phone, "code": code})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}", "Accept-Language": "zh-CN"}


def _paper(directory: Path) -> Path:
    path = directory / "contract.png"
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (240, 240, 230)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


async def _looks_right(page: Page, name: str) -> None:
    await screenshot(page, name)
    assert await accessibility_violations(page) == []


async def _handle(http: httpx.AsyncClient, case_id: int) -> None:
    """The district officer takes the case from 受理 to 送达, as the work routes allow."""
    officer = await _token(http, DISTRICT_OFFICER)
    work = f"{APP}/work/{case_id}"
    steps: list[tuple[str, Any]] = [
        ("claim", None),
        ("accept", {"note": "材料齐全"}),
        ("advance", {}),
        ("decide", {"outcome": "approved", "text": "符合法律援助条件"}),
        ("deliver", {"method": "electronic"}),
    ]
    for action, body in steps:
        answer = await http.post(f"{work}/{action}", json=body, headers=officer)
        assert answer.status_code == 200, (action, answer.text)
    assert answer.json()["status"] == "delivered"


async def test_an_application_from_the_catalogue_to_its_rating(
    browser: Browser, base: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        await _from_the_catalogue_to_its_rating(browser, base, tmp_path, http)


async def _from_the_catalogue_to_its_rating(
    browser: Browser, base: str, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    resident_api = await _token(http, RESIDENT)
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    await log_in(page, base, RESIDENT)

    await page.goto(f"{base}/app/#/gov_services/catalogue")
    await expect(page.locator(f"button[data-item={ITEM}]")).to_be_visible()
    await _looks_right(page, "gov_services-catalogue")
    await page.click(f"button[data-item={ITEM}]")
    await expect(page.locator("article.service-item h2")).to_have_text("法律援助申请")
    await _looks_right(page, "gov_services-item")
    await page.click("button[name=apply]")
    await page.wait_for_url(re.compile(r"#/gov_services/application/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])

    # Prefilled from the resident's ID card licence, and not to be typed over.
    name = page.locator("input[name=applicant_name]")
    await expect(name).to_have_value("王居民")
    assert await name.get_attribute("readonly") is not None
    # special_group_type shows only once special_group is on (the document's rule).
    await expect(page.locator("select[name=special_group_type]")).to_have_count(0)

    await page.fill("input[name=phone]", "12345")
    await page.fill("input[name=residence_address]", "高新区枫杨街道西岗社区 8 号楼 2 单元 301")
    await page.select_option("select[name=case_type]", "劳动争议")
    summary_text = "公司拖欠三个月工资共计一万二千元，多次催要未果。"
    await page.fill("textarea[name=case_summary]", summary_text)
    await page.fill("input[name='opposing_party.name']", "某某科技有限公司")
    await page.select_option("select[name='opposing_party.kind']", "单位")
    await page.check("input[name=special_group]")
    await page.select_option("select[name=special_group_type]", "追索劳动报酬的农民工")

    # A phone number the schema's pattern refuses: the banner says what the API says.
    refused = await http.put(
        f"{APP}/applications/{case_id}/answers",
        json={"answers": {"phone": "12345"}},
        headers=resident_api,
    )
    assert refused.status_code == 422
    await page.click("button[name=save]")
    banner = page.locator("[role=alert]")
    await expect(banner).to_have_attribute("data-code", refused.json()["code"])
    await expect(banner.locator("strong")).to_have_text(refused.json()["title"])
    await _looks_right(page, "gov_services-form-refused")

    await page.fill("input[name=phone]", "13912345678")
    await page.click("button[name=save]")
    await expect(page.locator("[role=status]")).to_have_text("已暂存")
    await expect(page.locator("[role=alert]")).to_have_count(0)
    await _looks_right(page, "gov_services-form")

    # Resume: a reload draws the form again from what the API kept.
    await page.reload()
    await expect(page.locator("input[name=phone]")).to_have_value("13912345678")
    await expect(page.locator("input[name='opposing_party.name']")).to_have_value(
        "某某科技有限公司"
    )
    await expect(page.locator("input[name=special_group]")).to_be_checked()
    await expect(page.locator("select[name=special_group_type]")).to_have_value(
        "追索劳动报酬的农民工"
    )
    kept = (await http.get(f"{APP}/applications/{case_id}", headers=resident_api)).json()
    assert kept["answers"]["opposing_party"] == {"name": "某某科技有限公司", "kind": "单位"}
    assert kept["answers"]["special_group"] is True

    # Submitting without the materials is refused, in the API's words.
    await page.click("form.service-form button[type=submit]")
    await expect(page.locator("[role=alert]")).to_have_attribute(
        "data-code", "application_incomplete"
    )

    await page.click("button[name=licence-id_card]")
    await expect(page.locator("li[data-material=id_card]")).to_have_attribute("data-given", "1")
    await page.check("input[name=agree-financial_hardship]")
    await page.click("button[name=sign-financial_hardship]")
    await expect(page.locator("li[data-material=financial_hardship]")).to_have_attribute(
        "data-given", "1"
    )
    await page.set_input_files("input[name=file-case_materials]", str(_paper(tmp_path)))
    await expect(page.locator("li[data-material=case_materials]")).to_have_attribute(
        "data-given", "1"
    )
    await page.click("form.service-form button[type=submit]")
    await page.wait_for_url(re.compile(rf"#/gov_services/progress/{case_id}$"))
    progress = page.locator("article.progress")
    await expect(progress).to_have_attribute("data-status", "submitted")
    await expect(page.locator(".steps li[data-step=accept]")).to_have_attribute(
        "data-state", "current"
    )
    ref = (await http.get(f"{APP}/applications/{case_id}", headers=resident_api)).json()["ref"]
    await expect(page.locator(".ref")).to_have_text(ref)
    await _looks_right(page, "gov_services-progress")

    await _handle(http, case_id)
    await page.reload()
    await expect(progress).to_have_attribute("data-status", "delivered")
    await expect(page.locator(".timeline li[data-action=deliver]")).to_have_count(1)
    await page.check("input[name=level][value='5']")
    await page.fill("textarea[name=comment]", "窗口服务很耐心")
    await _looks_right(page, "gov_services-rating")
    await page.click("form.rating button[type=submit]")
    await expect(page.locator("[role=status]")).to_have_text("感谢您的评价")

    again = await http.post(
        f"{APP}/applications/{case_id}/rating", json={"level": 1}, headers=resident_api
    )
    assert (again.status_code, again.json()["code"]) == (409, "rating_exists")
    found = await http.get(f"{APP}/items", params={"q": ITEM}, headers=resident_api)
    item_id = next(item["id"] for item in found.json()["items"] if item["code"] == ITEM)
    summary = await http.get(f"{APP}/rating-summaries/items/{item_id}", headers=resident_api)
    assert summary.status_code == 200, summary.text
    assert _count_of_level(summary.json(), 5) == 1

    await page.goto(f"{base}/app/#/gov_services/applications")
    row = page.locator(f"button[data-application='{case_id}']")
    await expect(row).to_have_attribute("data-status", "delivered")
    await _looks_right(page, "gov_services-applications")


def _count_of_level(summary: dict[str, Any], level: int) -> int:
    return sum(int(row["count"]) for row in summary["levels"] if row["level"] == level)
