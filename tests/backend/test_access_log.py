"""`yimen serve` logs a line per request (method, path, status, duration) in dev, none in
prod, and `YIMEN_ACCESS_LOG` says otherwise either way. Served in its own process, as a
person runs it, and read from its log."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import sys

import httpx
import pytest

from tests.support import free_port

PROD = {
    "YIMEN_ENV": "prod",
    "YIMEN_SECRET_KEY": base64.urlsafe_b64encode(b"p" * 32).decode(),
    "SMS_PROVIDER": "aliyun",
    "SMS_ACCESS_KEY_ID": "LTAI5tKeyId",
    "SMS_ACCESS_KEY_SECRET": "key-secret",
    "SMS_SIGN_NAME": "一门",
    "SMS_TEMPLATE_CODE": "SMS_154950909",
    "ALIYUN_SMS_ENDPOINT": "http://127.0.0.1:9",  # nothing is texted in this test
}
LINE = r"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} {method} {path} {status} \d+\.\d ms"


async def _served_log(env: dict[str, str]) -> str:
    """What the server wrote while it answered a health check, a refusal and a path with
    a query and an encoded newline."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "backend.cli", "serve", "--port", str(port)),
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            for _ in range(400):
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            assert (await http.get("/v1/launcher")).status_code == 401
            await http.get("/v1/inbox%0Aforged 200?code=secret-123")
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stderr.decode()


def _logged(log: str, method: str, path: str, status: int) -> bool:
    line = LINE.format(method=method, path=re.escape(path), status=status)
    return re.search(f"^{line}$", log, re.MULTILINE) is not None


async def test_dev_logs_every_request() -> None:
    log = await _served_log({})
    assert _logged(log, "GET", "/healthz", 200), log
    assert _logged(log, "GET", "/v1/launcher", 401), log
    assert _logged(log, "GET", "/v1/inbox%0Aforged%20200", 404), log
    assert "secret-123" not in log
    assert not re.search(r"^forged", log, re.MULTILINE)


@pytest.mark.parametrize(
    ("env", "logs"),
    [
        (PROD, False),
        ({**PROD, "YIMEN_ACCESS_LOG": "true"}, True),
        ({"YIMEN_ACCESS_LOG": "0"}, False),
    ],
    ids=["prod", "prod, asked for", "dev, turned off"],
)
async def test_the_setting_decides(env: dict[str, str], logs: bool) -> None:
    log = await _served_log(env)
    assert _logged(log, "GET", "/v1/launcher", 401) is logs, log
