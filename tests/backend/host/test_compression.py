"""The app gzips an answer for a client that accepts gzip, when the answer is worth it
(1 KiB or more), and sends it as it is to every other client."""

from __future__ import annotations

import gzip
import json

from tests.conftest import Client


async def _raw(client: Client, path: str, accept: str) -> tuple[str | None, bytes]:
    async with client.stream("GET", path, headers={"Accept-Encoding": accept}) as answer:
        assert answer.status_code == 200
        raw = b"".join([chunk async for chunk in answer.aiter_raw()])
        return answer.headers.get("content-encoding"), raw


async def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it(client: Client) -> None:
    encoding, raw = await _raw(client, "/schema/openapi.json", "br;q=1.0, GZIP;q=0.8")
    assert encoding == "gzip"
    document = json.loads(gzip.decompress(raw))
    assert document["openapi"].startswith("3.")
    assert len(raw) < len(gzip.decompress(raw)) / 3


async def test_other_clients_get_the_answer_as_it_is(client: Client) -> None:
    for accept in ("identity", "br", "deflate;q=0.5"):
        encoding, raw = await _raw(client, "/schema/openapi.json", accept)
        assert encoding is None
        assert json.loads(raw)["openapi"].startswith("3.")


async def test_a_small_answer_is_not_worth_compressing(client: Client) -> None:
    encoding, raw = await _raw(client, "/healthz", "gzip")
    assert encoding is None
    assert len(raw) < 1024
