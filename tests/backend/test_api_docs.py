"""/schema works on an intranet: the docs page and everything it loads come from Yimen itself,
and an unknown page under /schema is a problem like any other unknown path."""

from __future__ import annotations

import json
import re

import pytest

from backend.kernel.errors import PROBLEM_MEDIA_TYPE
from tests.conftest import Client
from tests.test_openapi import COMMITTED

# Where the page names something to load: a src or href attribute, or the document's url.
NAMED = re.compile(r"""(?:src|href)="([^"]+)"|url:\s*"([^"]+)\"""")
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".json": "json"}


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger"])
async def test_the_docs_load_everything_from_yimen(client: Client, page: str) -> None:
    answer = await client.get(page)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert not re.findall(r"https?://", html), "the page names another host"
    named = [src or url for src, url in NAMED.findall(html)]
    assert {name.rsplit(".", 1)[-1] for name in named} == {"png", "css", "js", "json"}
    for name in named:
        assert name.startswith("/schema/"), name
        asset = await client.get(name)
        assert asset.status_code == 200, name
        expected = next(kind for suffix, kind in TYPES.items() if name.endswith(suffix))
        assert expected in asset.headers["content-type"], (name, asset.headers["content-type"])
        assert asset.content


@pytest.mark.parametrize(
    "path",
    [
        "/schema/nope",
        "/schema/redoc",
        "/schema/elements",
        "/schema/assets/nope.js",
        "/schema/x.json",
    ],
)
async def test_an_unknown_docs_page_is_a_problem(client: Client, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert answer.json()["code"] == "not_found"


async def test_the_docs_serve_the_committed_document(client: Client) -> None:
    """What the page shows is what clients are generated from, problem codes included."""
    answer = await client.get("/schema/openapi.json")
    assert answer.status_code == 200
    assert answer.json() == json.loads(COMMITTED.read_text())
