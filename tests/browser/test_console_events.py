"""The console's event desk in Chromium: the queue filtered by state and category, a
dispatch to the worker the admin picks and a reassignment to another, and the indicators
per unit drawn from the same figures the API gives."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from tests.browser.live import accessibility_violations, api_token, log_in, screenshot

RESIDENT, WORKER_G07, WORKER_G08, ADMIN = "13800000001", "13800000003", "13800000004", "13800000005"
EVENTS = "/v1/miniapps/grid_events/events"
C03 = "zz/gx/fengyang/c03"


class Api:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: Any) -> Any:
        answer = await self.http.get(path, params=params, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def post(self, path: str, body: Any, **headers: str) -> Any:
        answer = await self.http.post(path, json=body, headers={**self.headers, **headers})
        assert answer.is_success, answer.text
        return answer.json()


async def _report(resident: Api, category: str, text: str) -> int:
    attributes = {"damage": "cracked"} if category == "manhole_cover" else {}
    made = await resident.post(
        EVENTS, {"category": category, "description": text, "attributes": attributes}
    )
    return int(made["id"])


async def _rows(page: Page) -> set[int]:
    ids = await page.locator("section:first-child button[data-event]").evaluate_all(
        "els => els.map(e => Number(e.dataset.event))"
    )
    return set(ids)


async def _shows(page: Page, shown: set[int], not_shown: set[int]) -> None:
    """Wait until the queue lists `shown` and none of `not_shown`: a new filter first empties
    the list, then fills it with the API's answer."""
    rows: set[int] = set()
    for _ in range(100):
        rows = await _rows(page)
        if shown <= rows and not rows & not_shown:
            return
        await page.wait_for_timeout(100)
    raise AssertionError(f"the queue lists {sorted(rows)}")


async def test_the_desk_filters_dispatches_to_a_chosen_worker_and_reassigns(
    browser: Browser, base: str
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        resident = Api(http, await api_token(base, RESIDENT))
        admin = Api(http, await api_token(base, ADMIN))
        g07 = (await Api(http, await api_token(base, WORKER_G07)).get("/v1/me"))["user_id"]
        g08 = (await Api(http, await api_token(base, WORKER_G08)).get("/v1/me"))["user_id"]
        vending = await _report(resident, "street_vending", "路口占道经营")
        manhole = await _report(resident, "manhole_cover", "井盖松动")
        registered = await _report(resident, "street_vending", "夜市占道")
        event = await admin.get(f"{EVENTS}/{registered}")
        await admin.post(
            f"{EVENTS}/{registered}/actions",
            {"action": "register"},
            **{"If-Match": f'"{event["version"]}"'},
        )

        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await log_in(page, base, ADMIN, "console")
        await expect(page.locator(f"button[data-event='{registered}']").first).to_be_visible()
        assert {vending, manhole, registered} <= await _rows(page)
        await page.select_option("select[name=state]", "reported")
        await _shows(page, {vending, manhole}, not_shown={registered})
        await page.select_option("select[name=category]", "manhole_cover")
        await _shows(page, {manhole}, not_shown={vending, registered})
        await screenshot(page, "console-events")
        assert await accessibility_violations(page) == []

        await page.click(f"section:first-child button[data-event='{manhole}']")
        await page.click(".actions button[data-action=register]")
        await expect(page.locator(".timeline li[data-action=register]")).to_have_count(1)
        await page.select_option("select[name=handler]", str(g08))
        await page.click(".actions button[data-action=dispatch]")
        await expect(page.locator(f"[data-handler='{g08}']")).to_be_visible()
        assert (await admin.get(f"{EVENTS}/{manhole}"))["handler_id"] == g08

        await page.select_option("select[name=handler]", str(g07))
        await page.fill("input[name=reason]", "就近处置")
        await page.click(".actions button[data-action=reassign]")
        await expect(page.locator(f"[data-handler='{g07}']")).to_be_visible()
        held = await admin.get(f"{EVENTS}/{manhole}")
        assert held["handler_id"] == g07
        assert held["timeline"][-1]["action"] == "reassign"
        await screenshot(page, "console-event")
        assert await accessibility_violations(page) == []


async def test_the_indicators_show_the_apis_figures_per_unit(browser: Browser, base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        admin = Api(http, await api_token(base, ADMIN))
        stats = await admin.get("/v1/miniapps/grid_events/stats", under=C03)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await log_in(page, base, ADMIN, "console")
        await page.goto(f"{base}/console/#/indicators")
        row = page.locator(f"tr[data-unit='{C03}']")
        await expect(row).to_be_visible()
        rate = stats["closure_rate"]
        shown = "—" if rate is None else f"{round(rate * 100)}%"
        await expect(row.locator("td").nth(0)).to_have_text(shown)
        await expect(row.locator("td").nth(2)).to_have_text(str(len(stats["overdue"])))
        units = await page.locator("tbody tr").count()
        assert units >= 3, "the community and its grids"
        assert await page.locator("svg.chart g[data-unit]").count() == units
        await expect(row.locator("th")).to_have_text("西岗社区")
        await screenshot(page, "console-indicators")
        assert await accessibility_violations(page) == []
