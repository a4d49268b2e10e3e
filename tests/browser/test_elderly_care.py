"""Elderly care in Chromium against a live server: the demo resident, not an elder in the
seed, enrols from the SOS screen; presses SOS (with where the browser says they are), sees
the cancel window count down and calls it off, which the API then shows; presses again and
lets the window run out, after which the alarm rings on; checks in for today; accepts a
family member's ask into their circle beside the invite's QR code; and in elder mode the SOS
and check-in buttons are at least 60x60 px with text of 18 px or more."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Geolocation, Locator, Page, ViewportSize, expect

from tests.browser.live import PHONE_SIZE, accessibility_violations, log_in, screenshot

# Playwright types the viewport as a TypedDict; live.PHONE_SIZE is a plain dict.
PHONE = ViewportSize(width=PHONE_SIZE["width"], height=PHONE_SIZE["height"])

RESIDENT, FAMILY, GRID_WORKER, ADMIN = "13800000001", "13800000002", "13800000003", "13800000005"
COMMUNITY = "zz/gx/fengyang/c03"
CARE = "/v1/miniapps/elderly_care"
WHERE = Geolocation(latitude=34.8, longitude=113.6)


def _token(base: str, phone: str) -> str:
    sent = httpx.post(f"{base}/v1/auth/otp", json={"phone": phone}).json()
    pair = httpx.post(f"{base}/v1/auth/login", json={"phone": phone, "code": sent["dev_code"]})
    pair.raise_for_status()
    return str(pair.json()["access_token"])


def _api(base: str, phone: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {_token(base, phone)}"})


def _set_cancel_window(base: str, seconds: int) -> None:
    with _api(base, ADMIN) as admin:
        admin.put(
            f"{CARE}/sos-rules",
            json={
                "community": COMMUNITY,
                "cancel_window_seconds": seconds,
                "ring_gap_seconds": 10,
                "escalate_after_seconds": 60,
            },
        ).raise_for_status()


@pytest.fixture(scope="module")
async def resident(browser: Browser, base: str) -> AsyncIterator[Page]:
    """The resident's phone, enrolled as an elder through the page."""
    context = await browser.new_context(
        viewport=PHONE, locale="zh-CN", permissions=["geolocation"], geolocation=WHERE
    )
    page = await context.new_page()
    await log_in(page, base, RESIDENT)
    await page.goto(f"{base}/app/#/elderly_care/sos")
    await page.click("button.care-enrol")
    await expect(page.locator("button.care-sos")).to_be_visible()
    yield page
    await context.close()


async def test_another_phone_of_the_elder_finds_them_enrolled(
    resident: Page, browser: Browser, base: str
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    other = await context.new_page()
    await log_in(other, base, RESIDENT)
    await other.goto(f"{base}/app/#/elderly_care/sos")
    await expect(other.locator("button.care-sos")).to_be_visible()
    await expect(other.locator("button.care-enrol")).to_have_count(0)
    await context.close()


async def _alarm_id(page: Page) -> int:
    return int(await page.locator("article.care-alarm").get_attribute("data-alarm") or 0)


async def test_sos_counts_down_is_cancelled_and_else_rings(resident: Page, base: str) -> None:
    _set_cancel_window(base, 30)
    await screenshot(resident, "elderly_care-sos")
    assert await accessibility_violations(resident) == []

    await resident.click("button.care-sos")
    countdown = resident.locator(".care-countdown")
    await expect(countdown).to_be_visible()
    assert 0 < int(await countdown.get_attribute("data-seconds") or 0) <= 30
    await expect(resident.locator("button.care-cancel")).to_be_visible()
    await screenshot(resident, "elderly_care-sos-countdown")
    assert await accessibility_violations(resident) == []
    first = await _alarm_id(resident)
    await resident.click("button.care-cancel")
    await expect(resident.locator("article.care-alarm")).to_have_attribute(
        "data-status", "cancelled"
    )
    await expect(resident.locator(".timeline li[data-action=cancelled]")).to_have_count(1)
    with _api(base, RESIDENT) as api:
        alarm = api.get(f"{CARE}/alarms/{first}").json()
    assert alarm["status"] == "cancelled"
    assert (alarm["latitude"], alarm["longitude"]) == (WHERE["latitude"], WHERE["longitude"])
    assert "rang" not in [entry["action"] for entry in alarm["timeline"]]

    # A second SOS left alone: the window runs out and the grid worker is rung.
    _set_cancel_window(base, 3)
    await resident.click("button.care-sos")
    await expect(resident.locator("button.care-cancel")).to_be_visible()
    second = await _alarm_id(resident)
    assert second != first
    await expect(resident.locator("button.care-cancel")).to_be_hidden(timeout=10_000)
    await expect(resident.locator(".timeline li[data-action=raised]")).to_have_count(1)
    with _api(base, RESIDENT) as api:
        assert api.get(f"{CARE}/alarms/{second}").json()["status"] == "raised"
        rang = await _wait_for(lambda: _actions(api, second), "rang")
    assert rang
    await expect(resident.locator(".timeline li[data-action=rang]").first).to_be_visible(
        timeout=10_000
    )
    await screenshot(resident, "elderly_care-sos-ringing")
    assert await accessibility_violations(resident) == []

    # The grid worker closes it; the elder's SOS button is back.
    with _api(base, GRID_WORKER) as worker:
        worker.post(
            f"{CARE}/alarms/{second}/close", json={"outcome": "false_alarm"}
        ).raise_for_status()
    await resident.reload()
    await expect(resident.locator("button.care-sos")).to_be_visible()


def _actions(api: httpx.Client, alarm: int) -> list[str]:
    return [entry["action"] for entry in api.get(f"{CARE}/alarms/{alarm}").json()["timeline"]]


async def _wait_for(read: Callable[[], list[str]], wanted: str, seconds: float = 20) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if wanted in read():
            return True
        await asyncio.sleep(0.5)
    return False


async def test_daily_checkin(resident: Page, base: str) -> None:
    await resident.goto(f"{base}/app/#/elderly_care/checkin")
    # No plan yet: the elder sets one that is open all day, so the test runs at any hour.
    await resident.fill("input[name=starts]", "00:00")
    await resident.fill("input[name=ends]", "23:00")
    await resident.click("form.care-plan button[type=submit]")
    await expect(resident.locator(".care-today")).to_have_attribute("data-checked-in", "false")
    await resident.click("button.care-checkin")
    await expect(resident.locator(".care-today")).to_have_attribute("data-checked-in", "true")
    await expect(resident.locator(".care-streak")).to_have_text("1")
    with _api(base, RESIDENT) as api:
        history = api.get(f"{CARE}/elders/{_elder_id(base)}/checkins").json()
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert history["items"][0]["day"] == today
    assert history["items"][0]["checked_in_at"] is not None
    assert history["streak"] == 1
    await screenshot(resident, "elderly_care-checkin")
    assert await accessibility_violations(resident) == []


def _elder_id(base: str) -> int:
    """The resident's elder id, from the community's roster: the only elder of the demo."""
    with _api(base, ADMIN) as admin:
        roster = admin.get(f"{CARE}/elders", params={"under": COMMUNITY}).json()
    [elder] = roster["items"]
    return int(elder["id"])


async def test_family_circle(resident: Page, base: str) -> None:
    await resident.goto(f"{base}/app/#/elderly_care/family")
    invite = (await resident.locator(".care-invite-code").inner_text()).strip()
    await expect(resident.locator("svg.care-qr")).to_be_visible()
    elder = _elder_id(base)
    with _api(base, FAMILY) as family:
        family.post(
            f"{CARE}/family/asks", json={"invite": invite, "relation": "女儿"}
        ).raise_for_status()
    await resident.reload()
    pending = resident.locator(".care-circle li[data-status=pending]")
    await expect(pending).to_have_count(1)
    await pending.locator("button[data-decide=accept]").click()
    await expect(resident.locator(".care-circle li[data-status=accepted]")).to_contain_text("女儿")
    with _api(base, FAMILY) as family:
        mine = family.get(f"{CARE}/family/elders").json()["items"]
    assert [item["elder_id"] for item in mine] == [elder]
    await screenshot(resident, "elderly_care-family")
    assert await accessibility_violations(resident) == []


async def _size(button: Locator) -> tuple[float, float, float]:
    box = await button.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return [r.width, r.height, parseFloat(getComputedStyle(e).fontSize)]; }"
    )
    return box[0], box[1], box[2]


def _plan_all_day(base: str) -> None:
    """A check-in window open all day, so the check-in button shows at any hour."""
    with _api(base, RESIDENT) as api:
        api.put(
            f"{CARE}/elders/{_elder_id(base)}/checkin-plan",
            json={"starts": "00:00", "ends": "23:00", "days": [1, 2, 3, 4, 5, 6, 7]},
        ).raise_for_status()


async def test_elder_mode_buttons_are_big(resident: Page, base: str) -> None:
    _plan_all_day(base)
    await resident.goto(f"{base}/app/#/me")
    await resident.check("input[name=elder-mode]")
    await expect(resident.locator("html")).to_have_class("elder")
    for screen, selector in (("sos", "button.care-sos"), ("checkin", "button.care-checkin")):
        await resident.goto(f"{base}/app/#/elderly_care/{screen}")
        button = resident.locator(selector)
        await expect(button).to_be_visible()
        width, height, font = await _size(button)
        assert min(width, height) >= 60, (screen, width, height)
        assert font >= 18, (screen, font)
        await screenshot(resident, f"elderly_care-{screen}-elder")
        assert await accessibility_violations(resident) == []
