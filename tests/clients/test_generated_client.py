"""Clients generated from the committed openapi/openapi.json work: the Python one runs the
main flows (openapi/clients/python/flows.py) against a live `yimen serve` on the suite's
engine, and the TypeScript one type-checks with the same calls (scripts/clients)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest

from backend.kernel.settings import Settings
from tests.e2e.processes import fleet

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "scripts" / "clients.py"
FLOWS = ROOT / "openapi" / "clients" / "python" / "flows.py"


def _clients(*args: str | Path, timeout: float) -> None:
    done = subprocess.run(
        [sys.executable, str(CLIENTS), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def flows(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """flows.py on a Python client generated from the document for this session."""
    out = tmp_path_factory.mktemp("python-client")
    _clients("--only", "python", "--python-out", out, timeout=120)
    sys.path.insert(0, str(out))
    spec = importlib.util.spec_from_file_location("yimen_flows", FLOWS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert sys.modules["yimen_client"].__file__ == str(out / "yimen_client" / "__init__.py")
    return module


@pytest.fixture
async def live_server(
    settings: Settings, demo: None, tmp_path: Path
) -> AsyncIterator[tuple[str, Path]]:
    """`yimen serve` on the suite's database and its demo city, as deployed on that engine:
    on SQLite with jobs in-process; on PostgreSQL with the suite's Redis and a `yimen worker`
    delivering the notices and the login codes. Its base URL, and the log both write to."""
    redis_url = os.environ.get("YIMEN_TEST_REDIS_URL", "") if settings.uses_postgres else ""
    log = tmp_path / "server.log"
    async with fleet(settings.database_url, redis_url) as group:
        url = await group.api(log)
        if redis_url:
            await group.worker(log)  # on this engine the worker sends the login codes
        yield url, log


@pytest.mark.timeout(180)
async def test_the_generated_python_client_runs_the_main_flows(
    flows: ModuleType, live_server: tuple[str, Path]
) -> None:
    url, log = live_server
    run = flows.Flows(url, flows.ServerLog(log))
    await asyncio.to_thread(run.run, flows.new_phone())
    assert set(run.clients) == {
        flows.RESIDENT,
        flows.COMMUNITY_ADMIN,
        flows.GRID_WORKER,
        flows.CHECKPOINT_STAFF,
    }
    assert "Traceback" not in log.read_text(errors="replace")


@pytest.mark.timeout(300)
def test_the_typescript_client_type_checks() -> None:
    if shutil.which("npm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("npm is not installed, and CI needs the TypeScript client checked")
        pytest.skip("the TypeScript client needs Node.js and npm")
    _clients("--only", "typescript", timeout=280)
