"""Every answer carries a request id in `X-Request-ID`: the client's own when it is sane,
else a fresh one. A problem's body names the same id, and so does every log line written
while serving the request."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from litestar import get

from backend.app import create_app
from backend.kernel.logs import JsonFormatter
from backend.kernel.settings import Settings
from tests.conftest import Client
from tests.support import running

log = logging.getLogger("tests.request_ids")


@get("/test/failing", security=[{}], include_in_schema=False)
async def failing() -> None:
    log.warning("about to fail")
    raise RuntimeError("the handler broke")


@pytest.fixture
async def failing_client(settings: Settings) -> AsyncIterator[Client]:
    app = create_app(settings)
    app.register(failing)
    async with running(app) as http:
        yield http


async def test_a_sane_id_is_kept_and_answered(client: Client) -> None:
    sent = "req-7f3a.b2:c9"
    response = await client.get("/v1/users/1", headers={"X-Request-ID": sent})
    assert response.headers["X-Request-ID"] == sent
    assert response.json()["request_id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "with space", "x" * 129, 'quote"d', "new\\nline", "中文"],
    ids=["empty", "space", "too long", "quote", "backslash", "not ascii"],
)
async def test_anything_else_is_replaced(client: Client, sent: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": sent.encode()})
    answered = response.headers["X-Request-ID"]
    assert answered != sent
    assert len(answered) == 16


async def test_each_request_gets_its_own_id(client: Client) -> None:
    ids = {(await client.get("/healthz")).headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


async def test_a_problem_and_the_log_lines_name_the_answers_id(
    failing_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    response = await failing_client.get("/test/failing")
    assert response.status_code == 500
    answered = response.headers["X-Request-ID"]
    assert response.json()["request_id"] == answered
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    loggers = ("tests.request_ids", "backend.kernel.errors")
    ours = [line for line in lines if line["logger"] in loggers]
    assert [line["message"] for line in ours] == [
        "about to fail",
        "unhandled error on GET /test/failing",
    ]
    assert {line["request_id"] for line in ours} == {answered}
    assert "the handler broke" in ours[1]["error"]


async def test_no_request_no_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    log.warning("between requests")
    [line] = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    assert "request_id" not in line
