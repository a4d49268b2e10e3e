"""Real processes for whole-system tests: a private Redis, workers and API servers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from auth.sessions import grant_for
from backend.host import Host, load_registry
from backend.kernel.db import current_engine
from backend.kernel.events.outbox import bus_in_use
from backend.kernel.services import Services
from backend.kernel.settings import Settings
from tests.push.fcm_standin import PROJECT, FcmStandIn, write_service_account
from tests.support import free_port


def postgres_url_or_skip() -> str:
    url = os.environ.get("YIMEN_TEST_DATABASE_URL", "")
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail("YIMEN_TEST_DATABASE_URL is not set, and CI needs the process tests")
    pytest.skip("several processes need PostgreSQL (set YIMEN_TEST_DATABASE_URL)")


class RedisServer:
    """A Redis of the test's own, so that it can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="yimen-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed")
        self._process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self._dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.cleanup()


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "YIMEN_LOG_LEVEL": "WARNING",
    }


class Fleet:
    """Workers and API servers started for one test and stopped after it."""

    def __init__(self, database_url: str, redis_url: str, extra: dict[str, str]) -> None:
        self.env = {**_env(database_url, redis_url), **extra}
        self.processes: list[asyncio.subprocess.Process] = []

    async def worker(self, log: Path | None = None) -> asyncio.subprocess.Process:
        """A `yimen worker`, its output appended to `log` if given."""
        return await self._yimen(["worker"], log)

    async def api(self, log: Path | None = None) -> str:
        """An API server on a free port, its output in `log` if given; its base URL."""
        port = free_port()
        await self._yimen(["serve", "--port", str(port)], log)
        base = f"http://127.0.0.1:{port}"
        await _answering(f"{base}/healthz", "API server")
        return base

    async def server(
        self, module: str, args: list[str], ready: str, log: Path | None = None
    ) -> None:
        """`python -m <module> <args>`, a server of the test's own (a third party's), stopped
        with the rest; started once `ready` answers 200."""
        await self._python(module, args, log)
        await _answering(ready, module)

    async def _yimen(self, args: list[str], log: Path | None) -> asyncio.subprocess.Process:
        """`yimen <args>` started, and stopped with the rest; its output appended to `log`."""
        return await self._python("backend.cli", args, log)

    async def _python(
        self, module: str, args: list[str], log: Path | None
    ) -> asyncio.subprocess.Process:
        with (Path(os.devnull) if log is None else log).open("ab") as output:
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", module, *args),
                env=self.env,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    async def stop_all(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _answering(url: str, what: str) -> None:
    """Wait until `url` answers 200: the server behind it has started."""
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


@contextlib.asynccontextmanager
async def fleet(
    database_url: str, redis_url: str, extra: dict[str, str] | None = None
) -> AsyncIterator[Fleet]:
    group = Fleet(database_url, redis_url, extra or {})
    try:
        yield group
    finally:
        await group.stop_all()


@pytest.fixture
async def api_host(settings: Settings, redis_server: RedisServer) -> AsyncIterator[Host]:
    """This test process as an API process: it emits and hands on to arq."""
    api_settings = msgspec.structs.replace(settings, redis_url=redis_server.url)
    host = Host(Services(api_settings, load_registry(), current_engine()))
    await host.start(runs_jobs=False)
    assert host.services.bus is not None
    with bus_in_use(host.services.bus):
        yield host
    await host.stop()


@pytest.fixture
async def fcm() -> AsyncIterator[FcmStandIn]:
    """The FCM v1 stand-in, for workers that send through the real firebase-admin client."""
    postgres_url_or_skip()
    standin = FcmStandIn()
    await standin.start()
    yield standin
    await standin.stop()


def firebase_env(fcm: FcmStandIn, directory: Path) -> dict[str, str]:
    """What a process needs to send through firebase-admin to the stand-in."""
    return {
        "FIREBASE_CREDENTIALS": str(write_service_account(directory)),
        "FIREBASE_PROJECT_ID": PROJECT,
        "FCM_ENDPOINT": fcm.url,
    }


async def access_token(settings: Settings, user_id: int) -> str:
    """An access token the API processes accept: signed with the key ring they load."""
    from auth.keys import KeyRing
    from auth.revocation import DenyList
    from auth.tokens import TokenService
    from backend.kernel.vault import vault_for

    ring = KeyRing(settings, vault_for(settings.secret))
    await ring.load()
    token, _ = TokenService(settings, ring, DenyList()).issue(await grant_for(user_id))
    return str(token)
