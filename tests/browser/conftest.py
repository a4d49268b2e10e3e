"""One live demo server and one Chromium for the browser tests of a module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.browser.live import chromium, chromium_or_skip, demo_server


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chromium_or_skip()
    with demo_server(Path(tmp_path_factory.mktemp("shell"))) as url:
        yield url


@pytest.fixture(scope="module")
async def browser(base: str) -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched
