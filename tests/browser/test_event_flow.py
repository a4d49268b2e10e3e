"""The shell and the console in Chromium against a live server: a resident and a grid worker
see different launchers; the resident reports an event with a photo, the community admin
registers and dispatches it in the console, the worker starts it and feeds back from their
queue, the admin verifies and closes it, and the resident reads the timeline."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.live import PHONE_SIZE, api_token, log_in, screenshot

RESIDENT, WORKER, ADMIN = "13800000001", "13800000003", "13800000005"


async def _person(browser: Browser, base: str, phone: str, where: str = "app") -> Page:
    context: BrowserContext = await browser.new_context(viewport=PHONE_SIZE, locale="zh-CN")
    page = await context.new_page()
    await log_in(page, base, phone, where)
    return page


async def _tiles(page: Page) -> set[str]:
    await page.wait_for_selector(".tile")
    return set(await page.locator(".tile").evaluate_all("els => els.map(e => e.dataset.tile)"))


def _photo(directory: Path) -> Path:
    path = directory / "manhole.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


async def _step(page: Page, action: str, reason: str = "") -> None:
    if reason:
        await page.fill("input[name=reason]", reason)
    await page.click(f".actions button[data-action={action}]")
    await expect(page.locator(f".timeline li[data-action={action}]")).to_have_count(1)


async def _open(page: Page, base: str, where: str, route: str) -> None:
    await page.goto(f"{base}/{where}/#/{route}")


async def test_an_event_from_report_to_closing_in_the_browser(
    browser: Browser, base: str, tmp_path: Path
) -> None:
    resident = await _person(browser, base, RESIDENT)
    worker = await _person(browser, base, WORKER)
    assert "grid_events.report" in await _tiles(resident)
    assert await _tiles(resident) != await _tiles(worker)
    assert "grid_events.queue" in await _tiles(worker)
    await screenshot(resident, "event-resident-launcher")

    await _open(resident, base, "app", "grid_events/report")
    await resident.select_option("select[name=category]", "street_vending")
    await resident.fill("textarea[name=description]", "科学大道占道经营")
    await resident.fill("input[name=address]", "科学大道 100 号")
    await resident.set_input_files("input[name=photo]", str(_photo(tmp_path)))
    await resident.click("form.report button[type=submit]")
    await resident.wait_for_url(re.compile(r"#/grid_events/event/\d+$"))
    event = resident.url.rsplit("/", 1)[1]
    await expect(resident.locator("article.event")).to_have_attribute("data-state", "reported")
    await expect(resident.locator("img.photo")).to_have_count(1)

    admin = await _person(browser, base, ADMIN, "console")
    await expect(admin.locator(f"button[data-event='{event}']").first).to_be_visible()
    await screenshot(admin, "console-queue")
    await admin.click(f"button[data-event='{event}']")
    await _step(admin, "register")
    await _step(admin, "dispatch")

    await _open(worker, base, "app", "grid_events/queue")
    await worker.click(f"button[data-event='{event}']")
    await _step(worker, "start")
    await _step(worker, "feed_back", "已劝离，恢复通行")
    await screenshot(worker, "event-worker")

    await admin.reload()
    await _step(admin, "verify")
    await _step(admin, "close")
    await expect(admin.locator("article.event")).to_have_attribute("data-state", "closed")

    await resident.reload()
    await expect(resident.locator("article.event")).to_have_attribute("data-state", "closed")
    steps = await resident.locator(".timeline li").evaluate_all(
        "els => els.map(e => e.dataset.action)"
    )
    assert steps[-6:] == ["register", "dispatch", "start", "feed_back", "verify", "close"]
    await expect(resident.locator(".timeline")).to_contain_text("已劝离，恢复通行")
    await screenshot(resident, "event-resident-timeline")

    # The steps reached the resident's inbox: the badge counts what the API counts unread.
    token = await api_token(base, RESIDENT)
    async with httpx.AsyncClient(base_url=base) as http:
        inbox = await http.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"})
    unread = inbox.json()["unread"]
    assert unread > 0
    await expect(resident.locator("nav.tabs .badge")).to_have_attribute("data-unread", str(unread))
    await resident.click("nav.tabs button:nth-child(2)")
    await expect(resident.locator(".inbox li.unread")).to_have_count(unread)
    await screenshot(resident, "inbox-unread")
    await resident.click("main section button.secondary")
    await expect(resident.locator(".inbox li.unread")).to_have_count(0)
    await expect(resident.locator("nav.tabs .badge")).to_have_count(0)


async def test_a_report_without_a_position_goes_to_the_community_picked(
    browser: Browser, base: str
) -> None:
    resident = await _person(browser, base, RESIDENT)
    await _open(resident, base, "app", "grid_events/report")
    await resident.select_option("select[name=category]", "dust")
    await resident.fill("textarea[name=description]", "东岗社区工地扬尘")
    for depth, path in enumerate(("zz", "zz/gx", "zz/gx/fengyang", "zz/gx/fengyang/c04")):
        await resident.select_option(f"select[name=place-{depth}]", path)
    await screenshot(resident, "grid_events-report-picked")
    await resident.click("form.report button[type=submit]")
    await resident.wait_for_url(re.compile(r"#/grid_events/event/\d+$"))
    event = resident.url.rsplit("/", 1)[1]
    token = await api_token(base, RESIDENT)
    async with httpx.AsyncClient(base_url=base) as http:
        held = await http.get(
            f"/v1/miniapps/grid_events/events/{event}",
            headers={"Authorization": f"Bearer {token}"},
        )
    # The resident lives in g07; the event is at the desk of the community they picked.
    assert held.json()["grid_path"] == "zz/gx/fengyang/c04"
