"""The launcher's answers are encoded once and sent again as they are: each still carries
its own request id, compression still applies per request, and what a route's layers add
to an answer is kept."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import ResponseHeader

from backend.app import create_app
from backend.kernel.encoded import EncodedAnswer
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.backend.host.sample_apps import sample_apps
from tests.conftest import TokenFor, bearer
from tests.support import running


@pytest.fixture
async def host(settings: Settings, demo: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(settings, miniapps=sample_apps())) as client:
        yield client


async def test_each_answer_carries_its_own_request_id(
    host: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for(Role.GRID_WORKER)
    ids = []
    for sent in ("first-request", "second-request"):
        answer = await host.get("/v1/launcher", headers={**bearer(token), "X-Request-ID": sent})
        assert answer.status_code == 200
        assert answer.headers.get_list("x-request-id") == [sent]
        ids.append(answer.headers["x-request-id"])
    assert ids == ["first-request", "second-request"]


def _route(*answers: EncodedAnswer[Any], **layers: Any) -> Litestar:
    shown = iter(answers)

    @get("/answer", **layers)
    async def answer() -> EncodedAnswer[Any]:
        return next(shown)

    # Compressed as the app compresses (backend/app.py).
    return Litestar([answer], compression_config=CompressionConfig(backend="gzip"))


async def test_compression_is_decided_per_request() -> None:
    body = b"[" + b",".join(b'{"tile":"%d"}' % n for n in range(400)) + b"]"
    encoded = EncodedAnswer(body, headers={"ETag": '"z"'})
    plain = {"Accept-Encoding": "identity"}
    zipped = {"Accept-Encoding": "gzip"}
    asked = (zipped, plain, zipped, plain)
    async with running(_route(*[encoded] * len(asked))) as client:
        for headers in asked:
            async with client.stream("GET", "/answer", headers=headers) as answer:
                raw = b"".join([chunk async for chunk in answer.aiter_raw()])
            compressed = headers is zipped
            assert answer.headers.get("content-encoding") == ("gzip" if compressed else None)
            assert (gzip.decompress(raw) if compressed else raw) == body
            assert answer.headers.get_list("etag") == ['"z"']


async def test_headers_a_layer_adds_are_kept() -> None:
    encoded = EncodedAnswer(b'{"a":1}', headers={"ETag": '"x"'})
    app = _route(encoded, encoded, response_headers=[ResponseHeader(name="X-Layer", value="on")])
    async with running(app) as client:
        for _ in range(2):
            answer = await client.get("/answer")
            assert answer.status_code == 200
            assert answer.headers["x-layer"] == "on"
            assert answer.headers["etag"] == '"x"'
            assert answer.content == b'{"a":1}'


async def test_an_answer_without_layers_is_sent_as_encoded() -> None:
    encoded = EncodedAnswer(b"[]", headers={"Cache-Control": "no-cache"})
    unchanged = EncodedAnswer(b"", headers={"ETag": '"y"'}, status=304)
    async with running(_route(encoded, unchanged, encoded)) as client:
        first, second, third = [await client.get("/answer") for _ in range(3)]
    assert (first.status_code, first.content, first.headers["content-type"]) == (
        200,
        b"[]",
        "application/json",
    )
    assert first.headers["content-length"] == "2"
    assert (second.status_code, second.content, second.headers["etag"]) == (304, b"", '"y"')
    assert "content-length" not in second.headers
    assert third.headers == first.headers


def test_a_304_with_a_body_is_refused() -> None:
    with pytest.raises(ValueError, match="304"):
        EncodedAnswer(b"x", headers={}, status=304)
