"""Community risk levels in the console: the health official of 高新区 sees its communities,
named from the org tree, and the counts per level as bars; sets 西岗社区 to high with the page,
which the API then holds (the resident living there reads it, and the counts change with the
bars); a change outside the official's area is refused in the API's words, and a district
admin reads the counts but is offered no way to set a level."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.live import accessibility_violations, api_token, log_in, screenshot

OFFICIAL, DISTRICT_ADMIN, RESIDENT = "13800000008", "13800000006", "13800000001"
DESK = ViewportSize(width=1280, height=900)
HC = "/v1/miniapps/health_code"
C03, C04, JINSHUI_C01 = "zz/gx/fengyang/c03", "zz/gx/fengyang/c04", "zz/jinshui/wenhua/c01"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}


async def _bars(page: Page) -> dict[str, int]:
    bars = page.locator("svg.risk-chart g[data-level]")
    return {
        str(await bars.nth(i).get_attribute("data-level")): int(
            str(await bars.nth(i).get_attribute("data-count"))
        )
        for i in range(await bars.count())
    }


async def test_the_official_sets_a_communitys_level(browser: Browser, base: str) -> None:
    official = _auth(await api_token(base, OFFICIAL))
    resident = _auth(await api_token(base, RESIDENT))
    async with httpx.AsyncClient(base_url=base) as http:
        before = (
            await http.get(
                f"{HC}/risk-level-counts", params={"district": "zz/gx"}, headers=official
            )
        ).json()
        assert before == {"low": 2, "medium": 0, "high": 0}

        context = await browser.new_context(viewport=DESK, locale="zh-CN")
        page = await context.new_page()
        await log_in(page, base, OFFICIAL, "console")
        await page.click("header.bar nav button:has-text('社区风险等级')")
        c03 = page.locator(f"tr[data-community='{C03}']")
        await expect(c03.locator("th")).to_have_text("西岗社区")
        await expect(page.locator(f"tr[data-community='{C04}'] th")).to_have_text("东岗社区")
        # Every community of the district shows its level, never set being low.
        for community in (C03, C04):
            row = page.locator(f"tr[data-community='{community}']")
            await expect(row).to_have_attribute("data-level", "low")
        await expect(page.locator("svg.risk-chart g[data-level=low]")).to_have_attribute(
            "data-count", "2"
        )
        assert await _bars(page) == before
        await screenshot(page, "console-risk")
        assert await accessibility_violations(page) == []

        await c03.locator("select[name=level]").select_option("high")
        await c03.locator("button[type=submit]").click()
        await expect(page.locator("[role=status]")).to_contain_text("西岗社区")
        await expect(c03).to_have_attribute("data-level", "high")
        await expect(page.locator("svg.risk-chart g[data-level=high]")).to_have_attribute(
            "data-count", "1"
        )
        await expect(page.locator("[role=alert]")).to_have_count(0)

        after = (
            await http.get(
                f"{HC}/risk-level-counts", params={"district": "zz/gx"}, headers=official
            )
        ).json()
        assert after == {"low": 1, "medium": 0, "high": 1}
        assert await _bars(page) == after
        lived_in = (await http.get(f"{HC}/risk-levels", headers=resident)).json()["items"]
        assert lived_in == [{"community": C03, "level": "high"}]

        # Another district's community: the org tree names it, the API refuses the change.
        refused = await http.put(
            f"{HC}/risk-levels/{JINSHUI_C01}", json={"level": "medium"}, headers=official
        )
        assert refused.status_code == 403
        await page.goto(f"{base}/console/#/risk/zz%2Fjinshui")
        jinshui = page.locator(f"tr[data-community='{JINSHUI_C01}']")
        await expect(jinshui.locator("th")).to_have_text("农科社区")
        await expect(page.locator(".risk-set [role=alert]")).to_have_count(0)
        await jinshui.locator("select[name=level]").select_option("medium")
        await jinshui.locator("button[type=submit]").click()
        banner = page.locator(".risk-set [role=alert]")
        await expect(banner).to_have_attribute("data-code", refused.json()["code"])
        await expect(banner.locator("strong")).to_have_text(refused.json()["title"])
        await expect(jinshui).to_have_attribute("data-level", "")
        platform = _auth(await api_token(base, "13800000007"))
        jinshui_counts = await http.get(
            f"{HC}/risk-level-counts", params={"district": "zz/jinshui"}, headers=platform
        )
        assert jinshui_counts.json() == {"low": 1, "medium": 0, "high": 0}
        await context.close()

        # The district admin reads the counts, and is offered no way to set a level.
        context = await browser.new_context(viewport=DESK, locale="zh-CN")
        page = await context.new_page()
        await log_in(page, base, DISTRICT_ADMIN, "console")
        await page.click("header.bar nav button:has-text('社区风险等级')")
        await expect(page.locator("svg.risk-chart g[data-level=high]")).to_have_attribute(
            "data-count", "1"
        )
        await expect(page.locator(f"tr[data-community='{C03}']")).to_be_visible()
        await expect(page.locator("select[name=level]")).to_have_count(0)
        assert await accessibility_violations(page) == []
        await context.close()
