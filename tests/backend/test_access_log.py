"""`yimen serve` logs a line per request (method, path, status, duration) in dev, none in
prod, and `YIMEN_ACCESS_LOG` says otherwise either way; as text in dev, as one JSON object
per line in prod (`YIMEN_LOG_FORMAT` chooses), each with the request's id. Served in its
own process, as a person runs it, and read from its log."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import sys
from typing import Any

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


async def _served_log(env: dict[str, str], refused: list[httpx.Response] | None = None) -> str:
    """What the server wrote while it answered a health check, a refusal (kept in
    `refused`) and a path with a query and an encoded newline."""
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
            refusal = await http.get("/v1/launcher")
            assert refusal.status_code == 401
            if refused is not None:
                refused.append(refusal)
            await http.get("/v1/inbox%0Aforged 200?code=secret-123")
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stderr.decode()


def _logged(log: str, method: str, path: str, status: int) -> bool:
    line = LINE.format(method=method, path=re.escape(path), status=status)
    return re.search(f"^{line}$", log, re.MULTILINE) is not None or bool(
        _json_lines(log, method, path, status)
    )


def _json_lines(log: str, method: str, path: str, status: int) -> list[dict[str, Any]]:
    """The access log's JSON lines for the request: the same line in its `message`, and
    each part as a member of its own."""
    found = []
    for line in log.splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("logger") != "yimen.access":
            continue
        text = re.fullmatch(r"(\S+) (\S+) (\d+) \d+\.\d ms", entry["message"])
        if (
            text is not None
            and text.groups() == (method, path, str(status))
            and (entry["method"], entry["path"], entry["status"]) == (method, path, status)
            and isinstance(entry["duration_ms"], float)
        ):
            found.append(entry)
    return found


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
        ({**PROD, "YIMEN_ACCESS_LOG": "true", "YIMEN_LOG_FORMAT": "text"}, True),
        ({"YIMEN_ACCESS_LOG": "0"}, False),
    ],
    ids=["prod", "prod, asked for", "prod, asked for as text", "dev, turned off"],
)
async def test_the_setting_decides(env: dict[str, str], logs: bool) -> None:
    log = await _served_log(env)
    assert _logged(log, "GET", "/v1/launcher", 401) is logs, log


async def test_prod_logs_json_lines_with_the_request_id_of_the_answer() -> None:
    refused: list[httpx.Response] = []
    log = await _served_log({**PROD, "YIMEN_ACCESS_LOG": "true"}, refused)
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines
    assert all(line.startswith("{") and line.endswith("}") for line in lines), log
    [entry] = _json_lines(log, "GET", "/v1/launcher", 401)
    [response] = refused
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert response.json()["request_id"] == entry["request_id"]
    assert _json_lines(log, "GET", "/v1/inbox%0Aforged%20200", 404)
    assert "secret-123" not in log
