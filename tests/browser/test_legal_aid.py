"""Legal consultations in Chromium against a live server: an empty question shows the API's
problem in the banner; the resident asks; the demo's lawyer, listed at the district's
legal-aid centre with nobody on duty, finds it in their queue's pool, takes it and answers
in the thread; the resident reads the answer and rates it, which closes the consultation in
the API."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.live import PHONE_SIZE, accessibility_violations, log_in, screenshot

# Playwright types the viewport as a TypedDict; live.PHONE_SIZE is a plain dict.
PHONE = ViewportSize(width=PHONE_SIZE["width"], height=PHONE_SIZE["height"])

RESIDENT, LAWYER = "13800000001", "13800000012"
LEGAL = "/v1/miniapps/legal_aid"
QUESTION = "公司拖欠我三个月工资，应该怎么办？"
ANSWER = "可以先向劳动监察大队投诉，也可以申请劳动仲裁。"


def _api(base: str, phone: str) -> httpx.Client:
    sent = httpx.post(f"{base}/v1/auth/otp", json={"phone": phone}).json()
    pair = httpx.post(f"{base}/v1/auth/login", json={"phone": phone, "code": sent["dev_code"]})
    pair.raise_for_status()
    token = pair.json()["access_token"]
    return httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    )


async def _person(browser: Browser, base: str, phone: str) -> Page:
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    await log_in(page, base, phone)
    return page


async def _seen(page: Page, name: str) -> None:
    await screenshot(page, name)
    assert await accessibility_violations(page) == []


async def test_a_question_asked_taken_answered_and_rated(browser: Browser, base: str) -> None:
    resident = await _person(browser, base, RESIDENT)
    await resident.goto(f"{base}/app/#/legal_aid/consult")
    await expect(resident.locator("form.legal-ask")).to_be_visible()
    await _seen(resident, "legal_aid-consult")

    # An empty question: the API refuses it, and the page says so in the API's words.
    await resident.click("form.legal-ask button[type=submit]")
    banner = resident.get_by_role("alert")
    await expect(banner).to_be_visible()
    with _api(base, RESIDENT) as api:
        refused = api.post(f"{LEGAL}/consultations", json={"category": "labour", "question": ""})
    assert refused.status_code == 400
    await expect(banner.locator("strong")).to_have_text(refused.json()["title"])
    await _seen(resident, "legal_aid-consult-refused")

    await resident.select_option("select[name=category]", "labour")
    await resident.fill("textarea[name=question]", QUESTION)
    await resident.click("form.legal-ask button[type=submit]")
    await resident.wait_for_url(re.compile(r"#/legal_aid/question/\d+$"))
    consultation = resident.url.rsplit("/", 1)[1]
    thread = resident.locator("article.legal-thread")
    await expect(thread).to_have_attribute("data-status", "waiting")
    await expect(thread.locator(".legal-question")).to_have_text(QUESTION)
    await _seen(resident, "legal_aid-question")

    lawyer = await _person(browser, base, LAWYER)
    await lawyer.goto(f"{base}/app/#/legal_aid/queue")
    row = lawyer.locator(f"button[data-consultation='{consultation}']")
    await expect(row).to_contain_text(QUESTION)
    # Nobody is on duty in the demo: the question waits in the centre's pool.
    await expect(lawyer.locator(f"button[data-take='{consultation}']")).to_be_visible()
    await _seen(lawyer, "legal_aid-queue")
    await lawyer.click(f"button[data-take='{consultation}']")
    await lawyer.wait_for_url(re.compile(rf"#/legal_aid/question/{consultation}$"))
    await expect(lawyer.locator("article.legal-thread")).to_contain_text("钱律师")
    await lawyer.fill("textarea[name=message]", ANSWER)
    await lawyer.click("form.legal-reply button[type=submit]")
    await expect(lawyer.locator("article.legal-thread")).to_have_attribute(
        "data-status", "answered"
    )
    await expect(lawyer.locator(".legal-messages li[data-by-lawyer=true]")).to_have_text(
        re.compile(ANSWER)
    )
    await _seen(lawyer, "legal_aid-thread-lawyer")

    await resident.reload()
    await expect(thread).to_have_attribute("data-status", "answered")
    await expect(resident.locator(".legal-messages li[data-by-lawyer=true]")).to_contain_text(
        ANSWER
    )
    await resident.click(".legal-stars button[data-stars='4']")
    await resident.fill("input[name=comment]", "解答清楚")
    await _seen(resident, "legal_aid-answered")
    await resident.click("form.legal-rate button[type=submit]")
    await expect(resident.locator(".legal-rating")).to_have_attribute("data-rating", "4")
    await expect(thread).to_have_attribute("data-status", "closed")
    await expect(resident.locator("form.legal-reply")).to_have_count(0)
    await _seen(resident, "legal_aid-rated")

    with _api(base, RESIDENT) as api:
        closed = api.get(f"{LEGAL}/consultations/{consultation}").json()
    assert (closed["status"], closed["rating"]) == ("closed", 4)
    assert [m["text"] for m in closed["messages"] if m["by_lawyer"]] == [ANSWER]

    await resident.goto(f"{base}/app/#/legal_aid/consult")
    await expect(resident.locator(f"button[data-consultation='{consultation}']")).to_be_visible()
