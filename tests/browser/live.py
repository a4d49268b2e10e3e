"""A live Yimen for the browser tests, as `./scripts/demo` serves it (SQLite, in-process
jobs, the dev console for login codes), and headless Chromium from Debian's `chromium`
package, driven by Playwright: no browser is downloaded."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from tests.support import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("YIMEN_SCREENSHOTS", "build/screenshots"))
PHONE_SIZE: ViewportSize = {"width": 390, "height": 844}
# Logging in through the page asks a code for many phones from one address within minutes.
_GENEROUS = {
    "YIMEN_OTP_PER_IP_PER_HOUR": "1000",
    "YIMEN_OTP_PER_PHONE_PER_HOUR": "1000",
    "YIMEN_OTP_RESEND_INTERVAL": "0",
    "YIMEN_RATE_LOGIN_PER_ADDRESS": "1000/h",
    "YIMEN_RATE_LOGIN_PER_PHONE": "1000/h",
}


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail("Debian's chromium is not installed, and CI runs the browser tests")
    pytest.skip("the browser tests need Debian's chromium (apt-get install chromium)")


def _env(directory: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("YIMEN_", "DATABASE_"))}
    return {
        **kept,
        **_GENEROUS,
        "YIMEN_ENV": "dev",
        "YIMEN_SQLITE_PATH": str(directory / "shell.sqlite3"),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "YIMEN_LOG_LEVEL": "WARNING",
    }


def _yimen(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "backend.cli", *args], env=env, check=True, capture_output=True
    )


@contextlib.contextmanager
def demo_server(directory: Path) -> Iterator[str]:
    """`yimen migrate`, `seed-demo` and `serve` on a database of its own; the base URL."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = _env(directory)
    _yimen(["migrate"], env)
    _yimen(["seed-demo"], env)
    port = free_port()
    with (directory / "serve.log").open("ab") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz")
        yield base
    finally:
        server.terminate()
        server.wait(30)


def _wait_for(url: str) -> None:
    for _ in range(300):
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # In the city's time, as its people's phones are: the pages show times as they would.
        browser = await playwright.chromium.launch(
            executable_path=chromium_or_skip(),
            args=["--no-sandbox", "--disable-gpu"],
            env={**os.environ, "TZ": "Asia/Shanghai"},
        )
        try:
            yield browser
        finally:
            await browser.close()


async def log_in(page: Page, base: str, phone: str, where: str = "app") -> None:
    """Log in through the page as a person would: phone, the code shown in dev, log in."""
    await page.goto(f"{base}/{where}/")
    await page.fill("input[name=phone]", phone)
    await page.click("button[type=submit]")
    code = await page.locator("output[name=dev-code]").inner_text()
    await page.fill("input[name=code]", code)
    await page.click("button[type=submit]")
    await page.wait_for_selector("nav.tabs" if where == "app" else "header.bar nav")


async def api_token(base: str, phone: str) -> str:
    """An access token for a demo phone, got as the page gets one: a code, then a login."""
    async with httpx.AsyncClient(base_url=base) as http:
        sent = await http.post("/v1/auth/otp", json={"phone": phone})
        assert sent.status_code == 202, sent.text
        pair = await http.post(
            "/v1/auth/login", json={"phone": phone, "code": sent.json()["dev_code"]}
        )
        assert pair.status_code == 200, pair.text
        return str(pair.json()["access_token"])


async def screenshot(page: Page, name: str) -> Path:
    """Kept under ARTIFACTS (CI keeps the folder) and shown by docs/web-shell.md. The whole
    page, taken with the viewport stretched to it, so the fixed bar and tabs stand where a
    phone shows them rather than across the middle."""
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size
    assert size is not None
    height = await page.evaluate("document.documentElement.scrollHeight")
    await page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    try:
        await page.screenshot(path=str(path))
    finally:
        await page.set_viewport_size(size)
    return path


AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@functools.cache
def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run ./scripts/web (npm ci) first")
    return AXE.read_text()


async def accessibility_violations(page: Page) -> list[str]:
    """What axe-core (web/'s own copy from npm) finds serious or critical on the page as it
    stands, one line each. Run through the DevTools protocol: the page's policy, which
    refuses any script of another origin or inline, is left as it is."""
    await page.evaluate(_axe_source())
    found = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => [v.impact, v.id, v.nodes.map(n => n.target.join(' ')).join(', ')])"
    )
    return [f"{impact} {rule}: {where}" for impact, rule, where in found if impact in SERIOUS]
