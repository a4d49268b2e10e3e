"""The health code in Chromium against a live server: the resident's page makes and keeps its
own phone key, shows a code the checkpoint accepts once and then refuses as replayed, and a
screenshot signed more than a minute before the checkpoint's clock is refused as expired;
another browser the resident logs in on shows no code until they ask it to take the code
over, after which the first one's codes no longer pass until it enrols again; the resident
checks in at a merchant's place by a photo of its code (a photo with none says so), and a
bad code pasted shows the API's problem; checkpoint staff check a code by a photo of it;
a colour an official sets shows, in words, on the code and in the history."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import time
from pathlib import Path
from typing import Any

import httpx
import qrcode
import zxingcpp
from PIL import Image, ImageFilter
from playwright.async_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.live import PHONE_SIZE, accessibility_violations, log_in, screenshot

RESIDENT, HEALTH, CHECKPOINT, MERCHANT = "13800000001", "13800000008", "13800000009", "13800000011"
APP = "/v1/miniapps/health_code"
QR = "svg.qr[data-qr=health-code]"
PHONE: ViewportSize = {"width": PHONE_SIZE["width"], "height": PHONE_SIZE["height"]}


@functools.cache
def _token(base: str, phone: str) -> str:
    sent = httpx.post(f"{base}/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    logged = httpx.post(
        f"{base}/v1/auth/login", json={"phone": phone, "code": sent.json()["dev_code"]}
    )
    assert logged.status_code == 200, logged.text
    return str(logged.json()["access_token"])


def _call(base: str, phone: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {_token(base, phone)}", "Accept-Language": "zh-CN"}
    return httpx.request(method, f"{base}{path}", headers=headers, **kwargs)


def _scan(base: str, text: str) -> dict[str, Any]:
    answer = _call(
        base, CHECKPOINT, "POST", f"{APP}/scans", json={"text": text, "place": "科学大道地铁站"}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _resident(browser: Browser, base: str, *, clock_at: float | None = None) -> Page:
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    if clock_at is not None:
        await page.clock.install(time=clock_at)
    await log_in(page, base, RESIDENT)
    return page


async def _decoded(qr: Locator, path: Path) -> str:
    """What a scanner reads off the QR as the screen shows it: in the middle of the screen,
    clear of the fixed tab bar."""
    await qr.evaluate("qr => qr.scrollIntoView({block: 'center'})")
    await qr.screenshot(path=str(path))
    found = zxingcpp.read_barcodes(Image.open(path))
    assert len(found) == 1, f"{len(found)} codes in the screenshot"
    return str(found[0].text)


async def _show(page: Page, base: str, *, take_over: bool = False) -> Locator:
    """The code screen with its QR. With `take_over` the code is moved to this browser if
    another holds it (shown only once the resident asks), whichever tests ran before."""
    await page.goto(f"{base}/app/#/health_code/show")
    qr, move = page.locator(QR), page.locator("button[name=enrol-here]")
    if take_over:
        await expect(qr.or_(move).first).to_be_visible()
        if await move.count():
            await move.click()
    await expect(qr).to_have_count(1)
    return qr


def _enrolled_key(base: str) -> str:
    """The phone key the platform issues the resident's code to now."""
    issued = _call(base, RESIDENT, "GET", f"{APP}/code")
    assert issued.status_code == 200, issued.text
    return _phone_key(issued.json()["credential"])


def _phone_key(text: str) -> str:
    """The phone's public key `k` the credential in a QR text was issued to."""
    payload = text.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["k"])


def _signed_at(text: str) -> int:
    return int(text.rsplit(".", 1)[1].split(":", 1)[0], 36)


async def test_a_shown_code_passes_once_and_a_screenshot_goes_stale(
    browser: Browser, base: str, tmp_path: Path
) -> None:
    page = await _resident(browser, base)
    qr = await _show(page, base)
    await expect(page.locator(".hc-card .hc-colour")).to_have_text("绿码")
    shown = await qr.get_attribute("data-qr-text")
    text = await _decoded(qr, tmp_path / "code.png")
    assert text in (shown, await qr.get_attribute("data-qr-text"))
    assert abs(_signed_at(text) - time.time()) < 30

    passed = _scan(base, text)
    assert passed["valid"] is True, passed
    assert passed["colour"] == "green"
    assert passed["masked_name"]
    again = _scan(base, text)
    assert (again["valid"], again["reason"]) == (False, "replayed")

    await screenshot(page, "health_code-show")
    assert await accessibility_violations(page) == []

    # A reload signs with the key the browser kept: the same key in the credential (no new
    # enrolment behind the page's back), and the code still verifies.
    await page.reload()
    await expect(qr).to_have_count(1)
    # A proof of the second already scanned is that scan again (`replayed`): wait for one
    # signed later, as a checkpoint would see a person who came back.
    for _ in range(250):
        if _signed_at(await qr.get_attribute("data-qr-text") or "") > _signed_at(text):
            break
        await page.wait_for_timeout(100)
    reloaded = await _decoded(qr, tmp_path / "reloaded.png")
    assert _phone_key(reloaded) == _phone_key(text)
    scanned = _scan(base, reloaded)
    assert scanned["valid"] is True, scanned

    # Logging in on another browser takes nothing: it shows no code, says the code is on
    # another phone, and leaves it there until the resident asks to move it.
    behind = await _resident(browser, base, clock_at=time.time() - 75)
    await behind.goto(f"{base}/app/#/health_code/show")
    await expect(behind.get_by_role("alert")).to_have_attribute("data-code", "code_not_yours")
    await expect(behind.locator(QR)).to_have_count(0)
    assert _enrolled_key(base) == _phone_key(text)
    await screenshot(behind, "health_code-other-phone")
    assert await accessibility_violations(behind) == []

    # Moved there, on a page whose clock runs 75 s behind the checkpoint's: it signs what a
    # screenshot taken a minute and more ago would hold.
    await behind.click("button[name=enrol-here]")
    stale_qr = behind.locator(QR)
    await expect(stale_qr).to_have_count(1)
    assert _enrolled_key(base) != _phone_key(text)
    stale = await _decoded(stale_qr, tmp_path / "stale.png")
    assert time.time() - _signed_at(stale) > 60
    refused = _scan(base, stale)
    assert (refused["valid"], refused["reason"]) == (False, "expired"), refused
    before = await stale_qr.get_attribute("data-qr-text")
    await behind.clock.fast_forward("00:21")
    await expect(stale_qr).not_to_have_attribute("data-qr-text", before or "")
    renewed = await stale_qr.get_attribute("data-qr-text") or ""
    assert _signed_at(renewed) - _signed_at(before or "") >= 20

    # That second browser took the code over, so the first one's codes are no longer the
    # holder's: its page says so in the API's words and enrols again on request.
    await page.reload()
    banner = page.get_by_role("alert")
    await expect(banner).to_have_attribute("data-code", "code_not_yours")
    await expect(page.locator(QR)).to_have_count(0)
    await page.click("button[name=enrol-here]")
    await expect(qr).to_have_count(1)
    await expect(banner).to_have_count(0)
    assert _scan(base, await _decoded(qr, tmp_path / "enrolled.png"))["valid"] is True


def _photo_of(text: str, folder: Path) -> Path:
    """A phone's photo of a printed QR code: off-centre on a grey wall, scaled, slightly
    blurred."""
    printed = qrcode.make(text, border=4).get_image().convert("RGB").resize((700, 700))
    photo = Image.new("RGB", (1600, 1200), (200, 200, 195))
    photo.paste(printed, (500, 300))
    path = folder / "photo.jpg"
    photo.filter(ImageFilter.GaussianBlur(1)).save(path, quality=85)
    return path


async def test_checking_in_at_a_place_by_its_code(
    browser: Browser, base: str, tmp_path: Path
) -> None:
    made = _call(
        base,
        MERCHANT,
        "POST",
        f"{APP}/places",
        json={"name": "丰阳生活超市", "org_path": "zz/gx/fengyang/c03"},
    )
    assert made.status_code == 201, made.text
    place = made.json()

    page = await _resident(browser, base)
    await page.goto(f"{base}/app/#/health_code/show")
    await page.click("button[name=check-in]")
    await page.wait_for_url("**/#/health_code/checkin")
    # A photo with no code in it says so; a photo of the place's printed code checks in.
    blank = tmp_path / "wall.png"
    Image.new("RGB", (640, 480), "white").save(blank)
    await page.set_input_files("input[name=place-photo]", blank)
    await expect(page.get_by_role("alert")).to_have_attribute("data-code", "no_qr_in_photo")
    await page.set_input_files("input[name=place-photo]", _photo_of(place["code"], tmp_path))
    answered = page.locator("article[data-checked-in]")
    await expect(answered).to_have_attribute("data-checked-in", "丰阳生活超市")
    await expect(page.locator("textarea[name=place-code]")).to_have_value(place["code"])
    await expect(answered.locator(".hc-colour")).to_have_text("绿码")
    await screenshot(page, "health_code-checkin")
    assert await accessibility_violations(page) == []

    now = dt.datetime.now(dt.UTC)
    visits = _call(
        base,
        MERCHANT,
        "GET",
        f"{APP}/places/{place['id']}/visitors",
        params={"since": (now - dt.timedelta(hours=1)).isoformat(), "until": now.isoformat()},
    )
    assert visits.status_code == 200, visits.text
    assert len(visits.json()["items"]) == 1

    bad = place["code"][:-4] + ("AAAA" if not place["code"].endswith("AAAA") else "BBBB")
    refused = _call(base, RESIDENT, "POST", f"{APP}/check-ins", json={"code": bad})
    assert refused.status_code >= 400
    await page.fill("textarea[name=place-code]", bad)
    await page.click("form.hc-checkin button[type=submit]")
    banner = page.get_by_role("alert")
    await expect(banner).to_contain_text(refused.json()["title"])
    await expect(banner).to_have_attribute("data-code", refused.json()["code"])
    await expect(answered).to_have_count(0)


async def test_staff_check_a_code_and_a_merchant_prints_a_place_code(
    browser: Browser, base: str, tmp_path: Path
) -> None:
    resident = await _resident(browser, base)
    text = await _decoded(await _show(resident, base, take_over=True), tmp_path / "code.png")

    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    staff = await context.new_page()
    await log_in(staff, base, CHECKPOINT)
    await staff.goto(f"{base}/app/#/health_code/scan")
    await staff.fill("input[name=place]", "科学大道地铁站")
    # The staff's phone photographs the resident's screen: the code's text fills in.
    await staff.set_input_files("input[name=code-photo]", tmp_path / "code.png")
    await expect(staff.locator("textarea[name=code-text]")).to_have_value(text)
    await staff.click("form.hc-scan button[type=submit]")
    verdict = staff.locator("article[data-valid]")
    await expect(verdict).to_have_attribute("data-valid", "true")
    await staff.click("form.hc-scan button[type=submit]")
    await expect(verdict).to_have_attribute("data-reason", "replayed")
    await expect(verdict).to_contain_text("该码已被扫描过")
    assert await accessibility_violations(staff) == []

    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    merchant = await context.new_page()
    await log_in(merchant, base, MERCHANT)
    await merchant.goto(f"{base}/app/#/health_code/places")
    await merchant.fill("input[name=place-name]", "丰阳菜市场")
    await merchant.click("form.hc-place-form button[type=submit]")
    printed = merchant.locator("li[data-place]", has_text="丰阳菜市场").locator("svg.qr")
    await expect(printed).to_have_count(1)
    listed = _call(base, MERCHANT, "GET", f"{APP}/places").json()["items"]
    (place,) = [item for item in listed if item["name"] == "丰阳菜市场"]
    assert place["org_path"] == "zz/gx/fengyang/c03"
    # Each listing signs the place's code anew (ECDSA draws a fresh nonce): the same place
    # and claims, another signature.
    decoded = await _decoded(printed, tmp_path / "place.png")
    await expect(printed).to_have_attribute("data-qr-text", decoded)
    assert decoded.rsplit(".", 1)[0] == place["code"].rsplit(".", 1)[0]
    assert await accessibility_violations(merchant) == []


async def test_a_new_colour_shows_in_words_and_in_the_history(browser: Browser, base: str) -> None:
    me = _call(base, RESIDENT, "GET", f"{APP}/status").json()
    given = _call(
        base,
        HEALTH,
        "PUT",
        f"{APP}/statuses/{me['user_id']}",
        json={"colour": "yellow", "reason": "密接人员，居家观察"},
    )
    assert given.status_code == 200, given.text

    page = await _resident(browser, base)
    await _show(page, base, take_over=True)
    await expect(page.locator(".hc-card .hc-colour")).to_have_text("黄码")
    await page.click("button[name=history]")
    await page.wait_for_url("**/#/health_code/status")
    await expect(page.locator(".hc-status .hc-colour")).to_have_text("黄码")
    history = page.locator(".hc-history li")
    await expect(history.last).to_have_attribute("data-colour", "yellow")
    await expect(history.last).to_contain_text("密接人员，居家观察")
    await screenshot(page, "health_code-status")
    assert await accessibility_violations(page) == []
