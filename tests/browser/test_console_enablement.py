"""Mini-app enablement in the console: the district admin switches a built-in mini-app off
in their district, and its tiles leave that district's residents' launchers while another
district's residents keep them, until it is switched on again; a third-party app out on the
platform is switched on in the district by ticking what it asks for, and its tile reaches
the district's residents. A refusal the page meets shows the API's own title."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.live import accessibility_violations, api_token, log_in, screenshot
from tests.miniapps.open_platform.publishing import (
    APP,
    Person,
    manifest,
    released_app,
    released_version,
    switch,
    verified_publisher,
)

DEVELOPER, PLATFORM, ADMIN_GX, ADMIN_JINSHUI = (
    "13800000014",
    "13800000007",
    "13800000006",
    "13800000017",
)
RESIDENT_GX, RESIDENT_JINSHUI = "13800000001", "13800000016"
BUILT_IN = "legal_aid"
WIDE: ViewportSize = {"width": 1280, "height": 900}


async def _person(http: httpx.AsyncClient, base: str, phone: str) -> Person:
    token = await api_token(base, phone)
    me = await http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    return Person(token, int(me.json()["user_id"]))


async def _launcher(http: httpx.AsyncClient, who: Person) -> list[dict[str, Any]]:
    got = await http.get("/v1/launcher", headers=who.headers)
    assert got.status_code == 200, got.text
    return [tile for section in got.json()["sections"] for tile in section["tiles"]]


async def _apps_of(http: httpx.AsyncClient, who: Person) -> set[str]:
    return {tile["app_id"] for tile in await _launcher(http, who)}


async def _launches(http: httpx.AsyncClient, who: Person) -> set[str]:
    return {tile["launches"] for tile in await _launcher(http, who) if tile.get("launches")}


async def _state_of(http: httpx.AsyncClient, admin: Person, app_id: str) -> dict[str, Any]:
    page = await http.get("/v1/admin/miniapps", params={"limit": 100}, headers=admin.headers)
    [state] = [item for item in page.json()["items"] if item["app_id"] == app_id]
    return dict(state)


async def _console(browser: Browser, base: str, phone: str) -> Page:
    context = await browser.new_context(viewport=WIDE, locale="zh-CN")
    page = await context.new_page()
    await log_in(page, base, phone, "console")
    await page.click("button[name=nav-enablement]")
    await expect(page.locator("table.builtin-apps")).to_be_visible()
    return page


async def test_a_district_switches_a_built_in_app_off_and_on_again(
    browser: Browser, base: str
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        admin = await _person(http, base, ADMIN_GX)
        here, there = [await _person(http, base, p) for p in (RESIDENT_GX, RESIDENT_JINSHUI)]
        assert BUILT_IN in await _apps_of(http, here)
        assert BUILT_IN in await _apps_of(http, there)

        page = await _console(browser, base, ADMIN_GX)
        district = page.locator("select[name=district]")
        await expect(district).to_have_value("zz/gx")
        assert await district.locator("option").count() == 1
        row = page.locator(f"table.builtin-apps tr[data-app={BUILT_IN}]")
        await expect(row).to_have_attribute("data-here", "on")
        # A district admin does not switch anything city-wide.
        await expect(page.locator("button[name=city-switch]")).to_have_count(0)

        await row.locator("button[name=district-switch]").click()
        await expect(row).to_have_attribute("data-here", "off")
        assert (await _state_of(http, admin, BUILT_IN))["disabled_in"] == ["zz/gx"]
        assert BUILT_IN not in await _apps_of(http, here)
        assert BUILT_IN in await _apps_of(http, there)
        assert await accessibility_violations(page) == []
        await screenshot(page, "console-enablement")

        await row.locator("button[name=district-switch]").click()
        await expect(row).to_have_attribute("data-here", "on")
        assert (await _state_of(http, admin, BUILT_IN))["disabled_in"] == []
        assert BUILT_IN in await _apps_of(http, here)


async def test_a_district_switches_a_third_party_app_on_approving_what_it_asks(
    browser: Browser, base: str
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        developer, platform, admin, resident = [
            await _person(http, base, phone)
            for phone in (DEVELOPER, PLATFORM, ADMIN_GX, RESIDENT_GX)
        ]
        await verified_publisher(http, developer, platform)
        registered = await released_app(http, developer, platform)
        app_id = registered["app"]["app_id"]
        assert app_id not in await _launches(http, resident)

        page = await _console(browser, base, ADMIN_GX)
        row = page.locator(f"table.open-apps tr[data-app={app_id}]")
        await expect(row).to_have_attribute("data-state", "off")
        await expect(row).to_contain_text("郑州地铁")
        button = row.locator("button[name=open-switch]")
        asks = row.locator("input[name=ask]")
        await expect(asks).to_have_count(2)
        await expect(button).to_be_disabled()
        await asks.nth(0).check()
        await expect(button).to_be_disabled()
        await asks.nth(1).check()
        await expect(button).to_be_enabled()

        # Meanwhile a version asking for the phone number goes out: what the admin ticked is
        # no longer what the app asks, and the page says so in the API's words.
        more = [*manifest()["data"], {"field": "phone", "purpose": "乘车异常时联系本人"}]
        await released_version(http, developer, platform, app_id, "1.1.0", data=more)
        stale = await switch(http, admin, app_id, asks=["data.name", "profile.read"])
        assert stale.status_code == 409, stale.text
        await button.click()
        alert = page.locator("[role=alert]")
        await expect(alert).to_have_attribute("data-code", "open_asks_changed")
        await expect(alert).to_contain_text(stale.json()["title"])
        assert app_id not in await _launches(http, resident)

        await expect(asks).to_have_count(3)
        await expect(row.locator("input[value='data.phone']")).not_to_be_checked()
        # The district's admin approves a field for the purpose the app gives it.
        await expect(row.locator("label", has_text="data.phone")).to_contain_text(
            "乘车异常时联系本人"
        )
        await expect(button).to_be_disabled()
        await row.locator("input[value='data.phone']").check()
        await button.click()
        await expect(row).to_have_attribute("data-state", "on")
        await expect(page.locator("[role=alert]")).to_have_count(0)
        listed = await http.get(
            f"{APP}/district-apps", params={"district": "zz/gx"}, headers=admin.headers
        )
        [shown] = [item for item in listed.json()["items"] if item["app_id"] == app_id]
        assert shown["state"] == "on"
        assert shown["approved"] == ["data.name", "data.phone", "profile.read"]
        assert app_id in await _launches(http, resident)
        assert await accessibility_violations(page) == []
        await screenshot(page, "console-enablement-open")

        # Switched off in the page, the tile leaves again.
        await button.click()
        await expect(row).to_have_attribute("data-state", "off")
        assert app_id not in await _launches(http, resident)

        # The platform's admin picks any district, switches city-wide too, and reads the
        # purpose each field is asked for.
        page = await _console(browser, base, PLATFORM)
        options = page.locator("select[name=district] option")
        assert {"zz/gx", "zz/jinshui"} <= set(
            await options.evaluate_all("options => options.map(o => o.value)")
        )
        await expect(page.locator("button[name=city-switch]").first).to_be_visible()
        await page.select_option("select[name=district]", "zz/gx")
        row = page.locator(f"table.open-apps tr[data-app={app_id}]")
        await expect(row.locator("label", has_text="data.phone")).to_contain_text(
            "乘车异常时联系本人"
        )


async def test_another_districts_admin_acts_in_their_own_district_only(
    browser: Browser, base: str
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        admin = await _person(http, base, ADMIN_JINSHUI)
        page = await _console(browser, base, ADMIN_JINSHUI)
        district = page.locator("select[name=district]")
        await expect(district).to_have_value("zz/jinshui")
        assert await district.locator("option").all_inner_texts() == ["金水区"]
        refused = await http.put(
            f"/v1/admin/miniapps/{BUILT_IN}/switch",
            json={"enabled": False, "district": "zz/gx"},
            headers={**admin.headers, "Accept-Language": "zh-CN"},
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "scope_not_allowed"
        assert (await _state_of(http, admin, BUILT_IN))["disabled_in"] == []
