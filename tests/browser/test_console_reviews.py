"""The platform's review queue in the console: a developer's publisher waits and is
verified in the page; a version the developer submits shows in the queue, opens as its
manifest set out, and is rejected with a reason, the API then holding that reason; a second
version is approved in the page. A rejection without a reason shows the API's own title."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.live import accessibility_violations, api_token, log_in, screenshot
from tests.miniapps.open_platform.publishing import APP, Person, manifest, registered_app
from tests.miniapps.open_platform.samples import CREDIT_CODES

DEVELOPER, PLATFORM, ADMIN_GX = "13800000014", "13800000007", "13800000006"
WIDE: ViewportSize = {"width": 1280, "height": 900}
REASON = "入口页面未使用备案域名，请更正后重新提交"


async def _person(http: httpx.AsyncClient, base: str, phone: str) -> Person:
    token = await api_token(base, phone)
    me = await http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    return Person(token, int(me.json()["user_id"]))


async def _console(browser: Browser, base: str, phone: str) -> Page:
    context = await browser.new_context(viewport=WIDE, locale="zh-CN")
    page = await context.new_page()
    await log_in(page, base, phone, "console")
    return page


async def _submitted(http: httpx.AsyncClient, developer: Person, version_id: int) -> None:
    sent = await http.post(f"{APP}/versions/{version_id}/submission", headers=developer.headers)
    assert sent.status_code == 200, sent.text


async def _version(http: httpx.AsyncClient, who: Person, version_id: int) -> dict[str, object]:
    got = await http.get(f"{APP}/versions/{version_id}", headers=who.headers)
    assert got.status_code == 200, got.text
    return dict(got.json())


async def test_the_platform_verifies_a_publisher_and_reviews_its_versions(
    browser: Browser, base: str
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        developer, platform = [await _person(http, base, p) for p in (DEVELOPER, PLATFORM)]
        made = await http.post(
            f"{APP}/publishers",
            json={
                "name": "郑州地铁集团",
                "credit_code": CREDIT_CODES[0],
                "contact_email": "dev@metro.example.com",
            },
            headers=developer.headers,
        )
        assert made.status_code == 201, made.text
        publisher_id = made.json()["id"]

        page = await _console(browser, base, PLATFORM)
        await page.click("button[name=nav-reviews]")
        publisher = page.locator(f"table.publishers tr[data-publisher='{publisher_id}']")
        await expect(publisher).to_contain_text("郑州地铁集团")
        await expect(publisher).to_contain_text(CREDIT_CODES[0])
        await expect(page.locator("table.review-queue")).to_have_count(0)
        await publisher.locator("button[name=verify]").click()
        await expect(publisher).to_have_count(0)
        mine = await http.get(f"{APP}/publishers/mine", headers=developer.headers)
        assert mine.json()["status"] == "verified"

        registered = await registered_app(http, developer)
        app_id, first = registered["app"]["app_id"], registered["version_id"]
        await _submitted(http, developer, first)
        bus = await registered_app(http, developer, "bus-card", names={"zh-CN": "郑州公交"})
        await _submitted(http, developer, bus["version_id"])
        await page.reload()
        waiting = page.locator("table.review-queue tbody tr")
        await expect(waiting).to_have_count(2)
        assert await waiting.evaluate_all("rows => rows.map(r => Number(r.dataset.version))") == [
            first,
            bus["version_id"],
        ], "the longest waiting comes first"
        row = page.locator(f"table.review-queue tr[data-version='{first}']")
        await expect(row).to_contain_text("郑州地铁")
        await expect(row).to_contain_text("郑州地铁集团")
        await expect(row).to_contain_text("1.0.0")
        assert await accessibility_violations(page) == []
        await screenshot(page, "console-reviews")

        await row.locator("button[name=open]").click()
        review = page.locator(f"section.review[data-version='{first}']")
        await expect(review.locator(".version-status")).to_have_attribute(
            "data-status", "in_review"
        )
        sent = manifest()
        await expect(review.locator(".entry-url")).to_have_text(sent["entry_url"])
        for domain in sent["allowed_domains"]:
            await expect(review.locator(".domains")).to_contain_text(domain)
        await expect(review.locator(".permissions")).to_contain_text("profile.read")
        await expect(review.locator("table.data-asks tr[data-field=name]")).to_contain_text(
            "实名办理乘车码"
        )
        await expect(review.locator(".roles")).to_contain_text("resident")
        await expect(review.locator(".webhook")).to_contain_text(sent["webhook"]["url"])
        await expect(review.locator("img.app-icon")).to_have_count(1)
        assert await accessibility_violations(page) == []
        await screenshot(page, "console-review")

        # No reason: the API refuses, and the page says so in its words.
        await review.locator("button[name=reject]").click()
        alert = review.locator("[role=alert]")
        await expect(alert).to_have_attribute("data-code", "open_reason_required")
        refused = await http.post(
            f"{APP}/versions/{first}/review",
            json={"approved": False},
            headers={**platform.headers, "Accept-Language": "zh-CN"},
        )
        assert refused.status_code == 422
        await expect(alert).to_contain_text(refused.json()["title"])
        assert (await _version(http, developer, first))["status"] == "in_review"

        await review.locator("textarea[name=reason]").fill(REASON)
        await review.locator("button[name=reject]").click()
        await expect(review.locator(".version-status")).to_have_attribute("data-status", "rejected")
        await expect(review.locator(".verdict-reason")).to_contain_text(REASON)
        rejected = await _version(http, developer, first)
        assert (rejected["status"], rejected["reason"]) == ("rejected", REASON)

        second = await http.post(
            f"{APP}/apps/{app_id}/versions",
            json={"label": "1.0.1", "manifest": manifest()},
            headers=developer.headers,
        )
        assert second.status_code == 201, second.text
        second_id = second.json()["id"]
        await _submitted(http, developer, second_id)
        await page.click("button[name=nav-reviews]")
        await expect(page.locator(f"tr[data-version='{first}']")).to_have_count(0)
        await page.locator(f"tr[data-version='{second_id}'] button[name=open]").click()
        review = page.locator(f"section.review[data-version='{second_id}']")
        await review.locator("button[name=approve]").click()
        await expect(review.locator(".version-status")).to_have_attribute("data-status", "approved")
        assert (await _version(http, developer, second_id))["status"] == "approved"
        queue = await http.get(f"{APP}/reviews", headers=platform.headers)
        assert [item["version"]["id"] for item in queue.json()["items"]] == [bus["version_id"]]


async def test_only_the_platform_reviews(browser: Browser, base: str) -> None:
    page = await _console(browser, base, ADMIN_GX)
    await expect(page.locator("button[name=nav-enablement]")).to_be_visible()
    await expect(page.locator("button[name=nav-reviews]")).to_have_count(0)
    await page.goto(f"{base}/console/#/reviews")
    await expect(page.locator("section.reviews")).to_have_count(0)
