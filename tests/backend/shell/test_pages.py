"""The browser pages as served: HTML never cached without asking, hashed assets cached for
good, every answer under a policy that loads and reaches nothing but this origin, and no
file outside the build reachable by any spelling of its path."""

from __future__ import annotations

import re

import pytest

from backend.shell.pages import BUILT, PAGES
from tests.conftest import Client
from tests.support import entry_script


@pytest.mark.parametrize("page", PAGES)
async def test_a_page_is_html_asked_for_each_time_under_a_strict_policy(
    client: Client, page: str
) -> None:
    for path in (f"/{page}/", f"/{page}"):
        answer = await client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert answer.headers["cache-control"] == "no-cache"
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("page", PAGES)
async def test_the_built_page_loads_only_its_own_hashed_files(client: Client, page: str) -> None:
    html = (await client.get(f"/{page}/")).text
    assert "<script>" not in html, "an inline script, which the policy refuses"
    assert "<style" not in html, "an inline style, which the policy refuses"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    for source in sources:
        assert source.startswith(f"/{page}/assets/"), source
        answer = await client.get(source)
        assert answer.status_code == 200, source
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "name",
    ["nothing-B1TvLhdw.js", "index.js", "..%2Findex.html", "%2e%2e%2f%2e%2e%2fpages.py"],
)
async def test_no_other_file_is_served(client: Client, name: str) -> None:
    answer = await client.get(f"/app/assets/{name}")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


async def test_the_shells_scripts_are_served_with_their_type(client: Client) -> None:
    scripts = sorted(path.name for path in (BUILT / "app" / "assets").glob("*.js"))
    assert entry_script("app") in scripts
    assert len(scripts) > 1, "the QR reader is a script of its own, loaded when a photo is"
    for name in scripts:
        answer = await client.get(f"/app/assets/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/javascript")
