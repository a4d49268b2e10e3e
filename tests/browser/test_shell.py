"""The shell itself in Chromium: the launcher in both locales and in elder mode (large text
and targets, checked as the page computes them), the login page in the look this browser
last had, no serious accessibility violation on the main screens, every API problem shown
with its localised title, and a session that ends sending the person back to log in once its
refresh is refused."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.browser.live import (
    PHONE_SIZE,
    accessibility_violations,
    api_token,
    log_in,
    screenshot,
)

RESIDENT, WORKER = "13800000001", "13800000003"
# The MIIT rules for elder-friendly apps: body text of 18 px at least, targets of 60 x 60.
ELDER_TEXT_PX, ELDER_TARGET_PX = 18, 60

TARGETS = "main button, main input, main select, main textarea, nav.tabs button"
TEXTS = "main p, main span, main label, main li, main strong, main h2"
SIZES = """() => [...document.querySelectorAll(TARGETS)]
  .filter(e => e.offsetParent !== null).map(e => {
    const box = e.getBoundingClientRect();
    return {what: e.outerHTML.slice(0, 80), width: box.width, height: box.height,
            font: parseFloat(getComputedStyle(e).fontSize)};
})"""
TEXT_SIZES = """() => [...document.querySelectorAll(TEXTS)]
  .filter(e => e.offsetParent !== null && e.textContent.trim())
  .map(e => ({what: e.outerHTML.slice(0, 80), font: parseFloat(getComputedStyle(e).fontSize)}))"""


async def _page(browser: Browser, locale: str = "zh-CN") -> Page:
    context = await browser.new_context(viewport=PHONE_SIZE, locale=locale)
    return await context.new_page()


async def _set_profile(base: str, phone: str, **fields: object) -> None:
    token = await api_token(base, phone)
    async with httpx.AsyncClient(base_url=base) as http:
        answer = await http.patch(
            "/v1/me", json=fields, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(("locale", "title"), [("zh-CN", "随手拍"), ("en", "Report a problem")])
async def test_the_launcher_speaks_the_persons_locale(
    browser: Browser, base: str, locale: str, title: str
) -> None:
    page = await _page(browser, locale)
    await page.goto(f"{base}/app/")
    await screenshot(page, f"login-{locale}")
    await log_in(page, base, RESIDENT)
    await page.click("nav.tabs button:nth-child(3)")
    await page.click(f"button:has-text('{'English' if locale == 'en' else '中文'}')")
    await page.click("nav.tabs button:nth-child(1)")
    await expect(page.locator("[data-tile='grid_events.report'] .tile-title")).to_have_text(title)
    assert await page.evaluate("document.documentElement.lang") == locale
    await screenshot(page, f"launcher-{locale}")
    assert await accessibility_violations(page) == []
    for screen in ("inbox", "me", "grid_events/report"):
        await page.goto(f"{base}/app/#/{screen}")
        await page.wait_for_selector("main section, main article")
        assert await accessibility_violations(page) == [], screen
        await screenshot(page, f"{screen.replace('/', '-')}-{locale}")


async def test_elder_mode_makes_text_and_targets_large(browser: Browser, base: str) -> None:
    page = await _page(browser)
    await log_in(page, base, WORKER)
    await page.goto(f"{base}/app/#/me")
    await page.check("input[name=elder-mode]")
    await expect(page.locator("html")).to_have_class("elder")
    sizes = SIZES.replace("TARGETS", repr(TARGETS))
    text_sizes = TEXT_SIZES.replace("TEXTS", repr(TEXTS))
    for screen in ("", "me", "inbox", "grid_events/queue"):
        await page.goto(f"{base}/app/#/{screen}")
        await page.wait_for_selector("main section, main article, main .launcher")
        small = [
            s
            for s in await page.evaluate(sizes)
            if s["width"] < ELDER_TARGET_PX
            or s["height"] < ELDER_TARGET_PX
            or s["font"] < ELDER_TEXT_PX
        ]
        assert small == [], f"#{screen}: {json.dumps(small, ensure_ascii=False)}"
        tiny = [s for s in await page.evaluate(text_sizes) if s["font"] < ELDER_TEXT_PX]
        assert tiny == [], f"#{screen}: {json.dumps(tiny, ensure_ascii=False)}"
        assert await accessibility_violations(page) == [], screen
        await screenshot(page, f"elder-{screen.replace('/', '-') or 'launcher'}")
        if not screen:
            assert await page.locator(".tile").count() > 0


async def _too_small(page: Page) -> list[object]:
    sizes = SIZES.replace("TARGETS", repr(TARGETS))
    text_sizes = TEXT_SIZES.replace("TEXTS", repr(TEXTS))
    small = [
        s
        for s in await page.evaluate(sizes)
        if s["width"] < ELDER_TARGET_PX
        or s["height"] < ELDER_TARGET_PX
        or s["font"] < ELDER_TEXT_PX
    ]
    return small + [s for s in await page.evaluate(text_sizes) if s["font"] < ELDER_TEXT_PX]


async def test_the_login_page_keeps_the_look_this_browser_last_had(
    browser: Browser, base: str
) -> None:
    await _set_profile(base, WORKER, elder_mode=False)
    page = await _page(browser)
    await page.goto(f"{base}/app/")
    html = page.locator("html")
    await expect(html).not_to_have_class("elder")
    # Before logging in, elder mode's look is a choice of this browser, kept over a reload.
    await page.check("input[name=elder-look]")
    await expect(html).to_have_class("elder")
    await page.reload()
    await expect(html).to_have_class("elder")
    assert await _too_small(page) == []
    await screenshot(page, "elder-login")
    assert await accessibility_violations(page) == []

    # Signed in, the account's choice rules; signed out, the page keeps the look it had.
    await log_in(page, base, WORKER)
    await expect(html).not_to_have_class("elder")
    await page.goto(f"{base}/app/#/me")
    await page.check("input[name=elder-mode]")
    await expect(html).to_have_class("elder")
    await page.click(".settings button.secondary")
    await expect(page.locator("main.login")).to_be_visible()
    await expect(html).to_have_class("elder")
    await page.uncheck("input[name=elder-look]")
    await expect(html).not_to_have_class("elder")
    await page.reload()
    await expect(page.locator("main.login")).to_be_visible()
    await expect(html).not_to_have_class("elder")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
async def test_a_refused_request_shows_the_problems_own_title(
    browser: Browser, base: str, locale: str
) -> None:
    await _set_profile(base, RESIDENT, locale=locale)
    page = await _page(browser, locale)
    await log_in(page, base, RESIDENT)
    await page.goto(f"{base}/app/#/grid_events/report")
    await page.select_option("select[name=category]", "street_vending")
    await page.click("form.report button[type=submit]")
    alert = page.locator("[role=alert]")
    await expect(alert).to_be_visible()
    token = await api_token(base, RESIDENT)
    async with httpx.AsyncClient(base_url=base) as http:
        direct = await http.post(
            "/v1/miniapps/grid_events/events",
            json={"category": "street_vending", "description": "", "address": "", "attributes": {}},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": locale},
        )
    problem = direct.json()
    assert direct.status_code == 400
    await expect(alert).to_have_attribute("data-code", problem["code"])
    await expect(alert.locator("strong")).to_have_text(problem["title"])
    await screenshot(page, f"problem-{locale}")


async def _stored(page: Page) -> dict[str, object]:
    return dict(json.loads(await page.evaluate("localStorage.getItem('yimen.session')")))


async def _store(page: Page, tokens: dict[str, object]) -> None:
    await page.evaluate("t => localStorage.setItem('yimen.session', JSON.stringify(t))", tokens)


async def test_an_expiring_token_is_refreshed_and_the_person_stays(
    browser: Browser, base: str
) -> None:
    page = await _page(browser)
    await log_in(page, base, RESIDENT)
    tokens = await _stored(page)
    await _store(page, {**tokens, "expiresAt": 0})
    await page.reload()
    await page.wait_for_selector(".tile")
    renewed = await _stored(page)
    assert renewed["refresh"] != tokens["refresh"]
    assert int(str(renewed["expiresAt"])) > 0


def _refreshes(page: Page) -> list[str]:
    """The refreshes the page asks for, from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.url.endswith("/v1/auth/refresh") else None)
    return seen


async def test_a_refused_token_is_refreshed_once_and_the_call_made_again(
    browser: Browser, base: str
) -> None:
    page = await _page(browser)
    await log_in(page, base, RESIDENT)
    tokens = await _stored(page)
    await _store(page, {**tokens, "access": "not-a-token"})
    refreshes = _refreshes(page)
    await page.reload()
    await page.wait_for_selector(".tile")
    assert (await _stored(page))["access"] != "not-a-token"
    # The launcher and the inbox were both refused; one refresh renewed the token for both.
    assert len(refreshes) == 1


async def test_two_tabs_with_an_expired_token_refresh_once_and_both_stay(
    browser: Browser, base: str
) -> None:
    first = await _page(browser)
    await log_in(first, base, RESIDENT)
    second = await first.context.new_page()
    await _store(first, {**await _stored(first), "expiresAt": 0})
    refreshes = _refreshes(first)
    seen_by_second = _refreshes(second)

    async def slowly(route: Route) -> None:
        # The first refresh is still out when the second tab finds the token expired too.
        await asyncio.sleep(1.5)
        await route.continue_()

    await first.context.route("**/v1/auth/refresh", slowly)
    loading = asyncio.ensure_future(first.goto(f"{base}/app/"))
    await asyncio.sleep(0.5)
    await second.goto(f"{base}/app/")
    await loading
    # Each tab is brought to the front to be looked at, as a person switching tabs would: a
    # tab behind another gets no animation frames to render in.
    await first.bring_to_front()
    await first.wait_for_selector(".tile")
    await second.bring_to_front()
    await second.wait_for_selector(".tile")
    # One tab spent the refresh token; the other waited its turn and took the pair it left,
    # rather than spending the old one again, which would have ended the session in both.
    assert len(refreshes) + len(seen_by_second) == 1
    await first.bring_to_front()
    await first.reload()
    await first.wait_for_selector(".tile")
    await expect(first.locator("main.login")).to_have_count(0)


async def test_a_refresh_the_server_cannot_answer_now_keeps_the_session(
    browser: Browser, base: str
) -> None:
    page = await _page(browser)
    await log_in(page, base, RESIDENT)
    tokens = await _stored(page)

    async def busy(route: Route) -> None:
        await route.fulfill(
            status=429,
            content_type="application/problem+json",
            headers={"Retry-After": "30"},
            body=json.dumps(
                {
                    "type": "about:blank",
                    "code": "rate_limited",
                    "title": "请求过于频繁",
                    "status": 429,
                }
            ),
        )

    await page.route("**/v1/auth/refresh", busy)
    await _store(page, {**tokens, "expiresAt": 0})
    await page.reload()
    await expect(page.locator("[role=alert]").first).to_have_attribute("data-code", "rate_limited")
    assert (await _stored(page))["refresh"] == tokens["refresh"], "a busy server ended nothing"
    await page.unroute("**/v1/auth/refresh")
    await page.reload()
    await page.wait_for_selector(".tile")


async def test_logging_out_forgets_the_phones_keys(browser: Browser, base: str) -> None:
    page = await _page(browser)
    await log_in(page, base, WORKER)
    await page.goto(f"{base}/app/#/health_code/show")
    await page.wait_for_selector("[data-qr-text]")
    databases = "async () => (await indexedDB.databases()).map(d => d.name)"
    assert "yimen.health_code" in await page.evaluate(databases)
    await page.goto(f"{base}/app/#/me")
    await page.click(".settings button.secondary")
    await expect(page.locator("main.login")).to_be_visible()
    assert "yimen.health_code" not in await page.evaluate(databases)
    assert await page.evaluate("location.hash") == ""


async def test_logging_out_of_a_session_ended_elsewhere_keeps_the_look(
    browser: Browser, base: str
) -> None:
    """Signing out turns the phone's payer code off first; with the session already over,
    that call ends the session under it, and signing out then ends nothing more."""
    await _set_profile(base, WORKER, elder_mode=True)
    page = await _page(browser)
    await log_in(page, base, WORKER)
    await page.goto(f"{base}/app/#/payment/wallet")
    await page.click("button[name=enrol]")
    await expect(page.locator(".payer-code")).to_be_visible()
    await expect(page.locator("html")).to_have_class("elder")
    await page.goto(f"{base}/app/#/me")
    leave = page.locator(".settings button.secondary")
    await expect(leave).to_be_visible()
    tokens = await _stored(page)
    async with httpx.AsyncClient(base_url=base) as http:
        ended = await http.post("/v1/auth/logout", json={"refresh_token": tokens["refresh"]})
        assert ended.is_success, ended.text
    # Its access token due: the payer code's call refreshes first, and is refused.
    await _store(page, {**tokens, "expiresAt": 0})
    async with page.expect_response("**/v1/auth/logout"):
        await leave.click()
    await expect(page.locator("main.login")).to_be_visible()
    # Looked at once, after signing out is over: nothing later takes the look away.
    assert await page.evaluate("document.documentElement.classList.contains('elder')")
    assert await page.evaluate("localStorage.getItem('yimen.session')") is None


async def test_a_session_ended_elsewhere_sends_the_person_to_log_in(
    browser: Browser, base: str
) -> None:
    page = await _page(browser)
    await log_in(page, base, RESIDENT)
    tokens = await _stored(page)
    async with httpx.AsyncClient(base_url=base) as http:
        ended = await http.post("/v1/auth/logout", json={"refresh_token": tokens["refresh"]})
        assert ended.is_success, ended.text
    await _store(page, {**tokens, "expiresAt": 0})
    await page.reload()
    await expect(page.locator("main.login .notice")).to_have_text("登录已过期，请重新登录")
    assert await page.evaluate("localStorage.getItem('yimen.session')") is None
    await screenshot(page, "session-ended")
