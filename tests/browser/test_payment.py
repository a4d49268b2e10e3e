"""City pay in Chromium: a resident, their wallet topped up through the bank channel, sees
the balance in yuan; turns on the payer code, which the page computes from the enrolled
key and changes with the 30-second step; a merchant collects by that code in their own
page; the resident's statement and the merchant's then list the payment; signing out turns
the phone's payer code off on the server."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import msgspec
from playwright.async_api import Browser, Page, ViewportSize, expect

from backend.kernel.settings import load_settings
from backend.kernel.signed_requests import body_signature
from backend.kernel.vault import Vault
from miniapps.payment.channel import channel_key
from tests.browser.live import PHONE_SIZE, accessibility_violations, log_in, screenshot

PHONE = ViewportSize(width=PHONE_SIZE["width"], height=PHONE_SIZE["height"])
RESIDENT, MERCHANT = "13800000001", "13800000011"
APP = "/v1/miniapps/payment"
TOP_UP_FEN = 25_000
PAID_FEN = 1_234
CODE = re.compile(r"^19\d{16}$")  # prefix, payer number, time code, check digit


async def _token(http: httpx.AsyncClient, phone: str) -> dict[str, str]:
    code = (await http.post("/v1/auth/otp", json={"phone": phone})).json()["dev_code"]
    login = await http.post("/v1/auth/login", json={"phone": phone, "code": code})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def _top_up(http: httpx.AsyncClient, resident: dict[str, str], fen: int) -> None:
    """An order opened as the app opens one, then paid by the channel's signed notice."""
    order = await http.post(
        f"{APP}/top-ups",
        json={"amount_fen": fen},
        headers={**resident, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert order.status_code == 201, order.text
    notice = {
        "out_trade_no": order.json()["out_trade_no"],
        "amount_fen": fen,
        "result": "paid",
        "channel_txn": f"BANK{uuid.uuid4().hex[:12]}",
    }
    body = msgspec.json.encode(notice)
    stamp = str(int(time.time()))
    key = channel_key(Vault(load_settings({"YIMEN_ENV": "dev"}).secret))
    told = await http.post(
        f"{APP}/channel/notify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Channel-Timestamp": stamp,
            "X-Channel-Signature": body_signature(key, stamp, body),
        },
    )
    assert told.status_code == 200, told.text


async def _balance(http: httpx.AsyncClient, headers: dict[str, str], path: str = "/wallet") -> int:
    return int((await http.get(f"{APP}{path}", headers=headers)).json()["balance_fen"])


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


async def _page(browser: Browser, base: str, phone: str, *, clock: bool = False) -> Page:
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    if clock:
        await page.clock.install()
    await log_in(page, base, phone)
    return page


async def _looks_right(page: Page, name: str) -> None:
    await screenshot(page, name)
    assert await accessibility_violations(page) == []


async def test_the_wallet_the_payer_code_and_a_payment_by_it(browser: Browser, base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        await _the_wallet_the_payer_code_and_a_payment_by_it(browser, base, http)


async def _the_wallet_the_payer_code_and_a_payment_by_it(
    browser: Browser, base: str, http: httpx.AsyncClient
) -> None:
    resident_api = await _token(http, RESIDENT)
    if await _balance(http, resident_api) < TOP_UP_FEN:
        await _top_up(http, resident_api, TOP_UP_FEN)
    before = await _balance(http, resident_api)
    assert before >= TOP_UP_FEN

    resident = await _page(browser, base, RESIDENT, clock=True)
    await resident.goto(f"{base}/app/#/payment/wallet")
    await expect(resident.locator(".balance strong")).to_have_text(_yuan(before))
    await expect(resident.locator(".statement li[data-kind=top_up]").first).to_be_visible()

    await resident.click("button[name=enrol]")
    shown = resident.locator(".payer-code")
    await expect(shown).to_have_attribute("data-code", CODE)
    first = await shown.get_attribute("data-code")
    assert first is not None
    digits = (await resident.locator(".payer-digits").inner_text()).replace(" ", "")
    assert digits == first
    await expect(resident.locator("canvas.payer-qr")).to_be_visible()
    await expect(resident.locator(".countdown")).to_contain_text("秒后自动刷新")
    await _looks_right(resident, "payment-wallet")

    await resident.clock.fast_forward(31_000)
    await expect(shown).not_to_have_attribute("data-code", first)
    second = await shown.get_attribute("data-code")
    assert second is not None
    assert second[:10] == first[:10]  # the same prefix and payer number

    # The first code is of the step the server's clock is in (or next to): a merchant's
    # scanner takes it, in the merchant's own page.
    merchant = await _page(browser, base, MERCHANT)
    merchant_api = await _token(http, MERCHANT)
    collected_before = await _balance(http, merchant_api, "/merchant/account")
    await merchant.goto(f"{base}/app/#/payment/collect")
    await merchant.fill("input[name=code]", first)
    await merchant.fill("input[name=amount]", _yuan(PAID_FEN))
    await merchant.click("form.collect button[type=submit]")
    done = merchant.locator("[role=status][data-status]")
    await expect(done).to_have_attribute("data-status", "paid")
    await _looks_right(merchant, "payment-collect")
    payment = await done.get_attribute("data-payment")
    held = (await http.get(f"{APP}/payments/{payment}", headers=merchant_api)).json()
    assert (held["status"], held["amount_fen"], held["method"]) == ("paid", PAID_FEN, "payer_code")
    assert await _balance(http, resident_api) == before - PAID_FEN
    assert await _balance(http, merchant_api, "/merchant/account") == collected_before + PAID_FEN

    # A code is good once: the same code again is refused, and the page says why.
    await merchant.fill("input[name=code]", first)
    await merchant.click("form.collect button[type=submit]")
    refused = merchant.locator("[role=alert]")
    await expect(refused).to_have_attribute("data-code", "payer_code_used")
    assert (await refused.inner_text()).strip()

    await merchant.goto(f"{base}/app/#/payment/statements")
    await expect(merchant.locator(".statement li[data-kind=payment]").first).to_contain_text(
        f"+{_yuan(PAID_FEN)}"
    )
    await _looks_right(merchant, "payment-statements")

    # After a reload the phone still holds its key: the code shows with no new enrolment.
    await resident.reload()
    await expect(resident.locator(".balance strong")).to_have_text(_yuan(before - PAID_FEN))
    line = resident.locator(".statement li").first
    await expect(line).to_have_attribute("data-kind", "payment")
    await expect(line.locator(".amount")).to_have_text(f"-{_yuan(PAID_FEN)}")
    await expect(resident.locator(".payer-code")).to_have_attribute("data-code", CODE)
    await expect(resident.locator("button[name=enrol]")).to_have_count(0)
    await _looks_right(resident, "payment-wallet-after")

    # Signing out turns the phone's payer code off on the server, not only in the browser:
    # the payer number its codes carry is enrolled no more.
    number = first[2:10]
    await resident.goto(f"{base}/app/#/me")
    await resident.click(".settings button.secondary")
    await expect(resident.locator("main.login")).to_be_visible()
    gone = await http.delete(f"{APP}/payer-code/device/{number}", headers=resident_api)
    assert (gone.status_code, gone.json()["code"]) == (404, "payer_device_not_found")
