"""Schemathesis, bounded for CI: a live `yimen serve` on the test database and its demo city,
every operation of the committed openapi/openapi.json called with generated input as four
roles, checking that nothing answers a server error and every answer matches the document.
The long run is `scripts/fuzz` (the same script, more examples and every phase)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from backend.kernel.roles import Role
from tests.conftest import Client, TokenFor
from tests.support import free_port

FUZZ = Path(__file__).resolve().parents[2] / "scripts" / "fuzz.py"
ROLES = (Role.RESIDENT, Role.GRID_WORKER, Role.COMMUNITY_ADMIN, Role.PLATFORM_ADMIN)
SEED = "1"
# (phases, roles, examples per operation): generated input as every role, then the
# boundary values of every parameter once, as the role that passes the most guards.
RUNS = (
    ("fuzzing,stateful", ROLES, 3),
    ("coverage", (Role.PLATFORM_ADMIN,), 1),
)


async def _ready(url: str, server: asyncio.subprocess.Process, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            assert server.returncode is None, "the server exited"
            try:
                if (await http.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} was not ready in {seconds} s")


@pytest.fixture
async def live_server(
    client: Client, demo: None, tmp_path: Path
) -> AsyncIterator[tuple[str, Path]]:
    """`yimen serve` on the test database (started after the demo city and its signing key
    exist, which it loads at start-up) and the file it logs to."""
    log = tmp_path / "server.log"
    port = str(free_port())
    with log.open("wb") as output:
        server = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1", "--port", port),
            env=os.environ.copy(),
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await _ready(url, server, 60)
        yield url, log
    finally:
        server.terminate()
        await server.wait()


def _server_errors(log: str) -> list[str]:
    """What the server logged on each unhandled error, and the exception that ended it."""
    lines = log.splitlines()
    errors = []
    for number, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next((n for n in range(number, len(lines)) if lines[n][:1] not in " T"), -1)
            errors.append(f"{lines[number - 1][-90:]} -> {lines[end][:200]}")
    return errors


async def _fuzz(url: str, tokens: list[str], phases: str, examples: int) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(FUZZ),
        "--url",
        url,
        *tokens,
        "--phases",
        phases,
        "--max-examples",
        str(examples),
        "--seed",
        SEED,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return await process.wait(), output.decode(errors="replace")


@pytest.mark.timeout(600)
async def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(
    live_server: tuple[str, Path], token_for: TokenFor
) -> None:
    url, log = live_server
    tokens = {role: f"--token={role.value}={await token_for(role)}" for role in ROLES}
    reports = []
    for phases, roles, examples in RUNS:
        status, output = await _fuzz(url, [tokens[r] for r in roles], phases, examples)
        if status != 0:
            reports.append(output)
    errors = _server_errors(log.read_text(errors="replace"))
    assert not reports, "\n".join([*reports, "== the server's errors", *errors])
