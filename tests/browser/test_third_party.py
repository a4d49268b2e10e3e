"""A third-party mini-app opened from the shell: its tile leads to the consent sheet, which
shows each field it asks for with its purpose; once the resident agrees, its page opens in a
sandboxed frame on its own origin with a launch code, which the app's server trades for
who launched it and only the fields consented to."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.async_api import Browser, Route, expect

from tests.browser.live import PHONE_SIZE, accessibility_violations, api_token, log_in, screenshot
from tests.miniapps.open_platform.publishing import (
    APP,
    Person,
    open_token,
    released_app,
    switch,
    verified_publisher,
)

DEVELOPER, PLATFORM, DISTRICT_GX, RESIDENT = (
    "13800000014",
    "13800000007",
    "13800000006",
    "13800000001",
)
ENTRY = "https://h5.metro.example.com/app/index.html"
# What the app's own origin serves in the frame: the code it was handed, for the test to read.
PAGE = (
    b"<!doctype html><title>metro</title><p id=code></p><script>"
    b"document.getElementById('code').textContent ="
    b" new URLSearchParams(location.search).get('code')</script>"
)


async def _person(http: httpx.AsyncClient, base: str, phone: str) -> Person:
    token = await api_token(base, phone)
    me = await http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    return Person(token, int(me.json()["user_id"]))


async def test_a_third_party_app_opens_framed_with_a_code_its_server_trades(
    browser: Browser, base: str
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        developer, platform, district = [
            await _person(http, base, phone) for phone in (DEVELOPER, PLATFORM, DISTRICT_GX)
        ]
        await verified_publisher(http, developer, platform)
        registered = await released_app(http, developer, platform)
        app_id = registered["app"]["app_id"]
        assert (await switch(http, district, app_id)).status_code == 200

        context = await browser.new_context(viewport=PHONE_SIZE, locale="zh-CN")
        framed: list[str] = []

        async def serve_the_app(route: Route) -> None:
            framed.append(route.request.url)
            await route.fulfill(status=200, content_type="text/html", body=PAGE)

        await context.route("https://h5.metro.example.com/**", serve_the_app)
        page = await context.new_page()
        await log_in(page, base, RESIDENT)
        await page.click("[data-tile='open_platform.metro-card']")
        await expect(page.locator(".consent")).to_contain_text("实名办理乘车码")
        assert await accessibility_violations(page) == []
        await screenshot(page, "open_platform-consent")
        await page.check("input[name=consent-name]")
        await page.click("button[name=launch]")

        frame = page.locator("iframe.miniapp")
        await expect(frame).to_have_attribute(
            "sandbox", "allow-scripts allow-forms allow-same-origin"
        )
        code = await page.frame_locator("iframe.miniapp").locator("#code").inner_text()
        assert framed, "the app's page was never asked for"
        assert urlsplit(framed[0])._replace(query="").geturl() == ENTRY
        assert parse_qs(urlsplit(framed[0]).query)["code"] == [code]
        await screenshot(page, "open_platform-framed")

        server = await open_token(http, registered)
        session = await http.post(f"{APP}/open/session", json={"code": code}, headers=server)
        assert session.status_code == 200, session.text
        assert session.json()["claims"] == {"name": "王居民"}
        again = await http.post(f"{APP}/open/session", json={"code": code}, headers=server)
        assert again.json()["code"] == "open_code_refused"


async def test_a_crafted_link_frames_no_page_that_is_not_on_the_launcher(
    browser: Browser, base: str
) -> None:
    context = await browser.new_context(viewport=PHONE_SIZE, locale="zh-CN")
    asked: list[str] = []

    async def outside(route: Route) -> None:
        asked.append(route.request.url)
        await route.fulfill(status=200, content_type="text/html", body=b"<p>phish</p>")

    await context.route("https://evil.example.com/**", outside)
    page = await context.new_page()
    await log_in(page, base, RESIDENT)
    for crafted in (
        "-/https%3A%2F%2Fevil.example.com%2F",
        "yx0000000000000000/https%3A%2F%2Fevil.example.com%2F",
        "-/javascript%3Aalert(1)",
    ):
        await page.goto(f"{base}/app/#/")
        await page.wait_for_selector(".tile")
        await page.goto(f"{base}/app/#/open/{crafted}")
        await expect(page.locator("main p.empty")).to_have_text("该应用不在你的首页上")
        await page.wait_for_timeout(300)  # time for a frame to be asked for, were one made
        await expect(page.locator("iframe")).to_have_count(0)
    assert asked == []
