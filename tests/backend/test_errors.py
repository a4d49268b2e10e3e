"""What the API logs when a request goes wrong."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from litestar import Litestar

from backend.devtools import openapi_document
from backend.kernel.errors import PROBLEM_MEDIA_TYPE
from backend.kernel.settings import Settings
from tests.conftest import Client


async def test_a_client_leaving_mid_body_is_noted_not_logged_as_a_fault(
    app: Litestar, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b'{"phone": "138', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/auth/logout",
        "raw_path": b"/v1/auth/logout",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    with caplog.at_level(logging.INFO, logger="backend.kernel.errors"):
        await app(scope, receive, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == 500
    assert [r.levelno for r in caplog.records if r.name == "backend.kernel.errors"] == [
        logging.INFO
    ]
    assert "client left" in caplog.text


def test_the_openapi_document_describes_a_400_as_the_problem_we_send(settings: Settings) -> None:
    """Litestar documents its own validation-error shape as application/json; every error
    of ours is a Problem as application/problem+json, and clients are generated from this."""
    document = json.loads(openapi_document(settings))
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) >= {"type", "title", "status", "code"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            bad_request = operation["responses"].get("400")
            assert bad_request is not None, f"{method} {path} documents no 400"
            assert bad_request["content"] == {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, f"{method} {path}"
