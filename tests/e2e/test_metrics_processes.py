"""/metrics across real processes: `yimen serve --workers 2` answers with the requests of
both its workers added up, and an API process shows a push that `yimen worker` delivered."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from backend.directory.users.service import account_for_phone
from backend.host import Host
from backend.kernel.audience import Audience
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from push.tables import Device
from tests.e2e.processes import (
    RedisServer,
    api_host,
    fcm,
    firebase_env,
    fleet,
    postgres_url_or_skip,
    redis_server,
)
from tests.push.fcm_standin import FcmStandIn
from tests.push.helpers import tell
from tests.support import eventually, free_port

__all__ = ["api_host", "fcm", "redis_server"]


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _pids(directory: Path) -> set[str]:
    """The processes that wrote counters into the shared directory."""
    return {p.stem.rpartition("_")[2] for p in directory.glob("counter_*.db")}


@contextlib.asynccontextmanager
async def _served(env: dict[str, str], workers: int) -> AsyncIterator[str]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "backend.cli", "serve", "--port", str(port)),
        *("--workers", str(workers)),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(600):  # a loaded machine takes its time to import the app
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(f"{base}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


# Servers start slowly on a loaded machine; a failure should name what it waited for.
@pytest.mark.timeout(150)
async def test_two_workers_are_counted_together(settings: Settings, tmp_path: Path) -> None:
    database = postgres_url_or_skip()
    directory = tmp_path / "metrics"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": "",
        "YIMEN_LOG_LEVEL": "WARNING",
        "YIMEN_METRICS_DIR": str(directory),
        # Thousands of health checks from one address: counted here, not limited.
        "YIMEN_RATE_PUBLIC_PER_ADDRESS": "1000000/m",
    }
    async with _served(env, workers=2) as base:
        # A fresh connection per request, several at once: each worker takes some, and
        # writes its first counts within a second.
        fresh = httpx.Limits(max_keepalive_connections=0)
        sent = 0
        async with httpx.AsyncClient(base_url=base, limits=fresh) as http:
            while len(_pids(directory)) < 2 and sent < 2000:
                answers = await asyncio.gather(*(http.get("/healthz") for _ in range(20)))
                assert {a.status_code for a in answers} == {200}
                sent += len(answers)
            assert len(_pids(directory)) == 2, "one worker answered every request"
            labels = frozenset({"method": "GET", "route": "/healthz", "status": "200"}.items())
            totals: list[float] = []

            async def all_counted() -> bool:
                """Ours, and the one health check that found the server up; each worker
                hands its tally on within a second, whichever answers the scrape."""
                scraped = _samples((await http.get("/metrics")).text)
                totals.append(scraped.get(("yimen_http_requests_total", labels), 0.0))
                return totals[-1] == sent + 1

            await eventually(all_counted, 10, what=f"{sent + 1} requests counted")


@pytest.mark.timeout(150)
async def test_the_api_shows_a_push_the_worker_delivered(
    settings: Settings,
    redis_server: RedisServer,
    api_host: Host,
    fcm: FcmStandIn,
    vault: Vault,
    tmp_path: Path,
) -> None:
    user_id = await account_for_phone(phone="13900008888", vault=vault)
    await Device.insert(Device(user_id=user_id, kind="token", address="tok-1", platform="ios"))
    extra = {**firebase_env(fcm, tmp_path), "YIMEN_METRICS_DIR": str(tmp_path / "metrics")}
    async with (
        fleet(settings.database_url, redis_server.url, extra) as group,
        _served(group.env, workers=1) as base,
    ):
        await group.worker()
        await tell(Audience.users(user_id), urgent=True)
        sent = frozenset({"provider": "fcm", "status": "sent"}.items())
        delivered = frozenset({"job": "events.deliver", "outcome": "ok"}.items())

        async def shown() -> bool:
            async with httpx.AsyncClient() as http:
                scraped = _samples((await http.get(f"{base}/metrics")).text)
            return (
                scraped.get(("yimen_push_deliveries_total", sent)) == 1
                and scraped.get(("yimen_jobs_total", delivered), 0) >= 1
                and ("yimen_job_queue_depth", frozenset({("queue", "arq:queue")})) in scraped
            )

        await eventually(shown, 40, what="the worker's delivery in the API's /metrics")
    assert fcm.delivered_to() == {"tok-1": 1}


@pytest.mark.timeout(150)
async def test_a_worker_alone_on_its_host_is_scraped_on_its_own_port(
    settings: Settings,
    redis_server: RedisServer,
    api_host: Host,
    fcm: FcmStandIn,
    vault: Vault,
    tmp_path: Path,
) -> None:
    """No API and no shared directory beside it: YIMEN_METRICS_PORT is how its deliveries
    are seen."""
    user_id = await account_for_phone(phone="13900008889", vault=vault)
    await Device.insert(Device(user_id=user_id, kind="token", address="tok-2", platform="ios"))
    port = free_port()
    extra = {**firebase_env(fcm, tmp_path), "YIMEN_METRICS_PORT": str(port)}
    async with fleet(settings.database_url, redis_server.url, extra) as group:
        await group.worker()
        await tell(Audience.users(user_id), urgent=True)
        sent = frozenset({"provider": "fcm", "status": "sent"}.items())

        async def shown() -> bool:
            async with httpx.AsyncClient() as http:
                try:
                    answer = await http.get(f"http://127.0.0.1:{port}/metrics")
                except httpx.TransportError:
                    return False  # not listening yet
            return _samples(answer.text).get(("yimen_push_deliveries_total", sent)) == 1

        await eventually(shown, 40, what="the worker's delivery on its metrics port")
    assert fcm.delivered_to() == {"tok-2": 1}


@pytest.mark.timeout(150)
async def test_an_api_host_serves_its_counters_on_the_metrics_port(
    settings: Settings, tmp_path: Path
) -> None:
    """`yimen serve --workers 2` with YIMEN_METRICS_PORT: its workers' requests, pooled, on
    that port."""
    database = postgres_url_or_skip()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": "",
        "YIMEN_LOG_LEVEL": "WARNING",
        "YIMEN_METRICS_PORT": str(port),
    }
    async with _served(env, workers=2) as base, httpx.AsyncClient() as http:
        for _ in range(5):
            assert (await http.get(f"{base}/healthz")).status_code == 200
        labels = frozenset({"method": "GET", "route": "/healthz", "status": "200"}.items())

        async def counted() -> bool:
            scraped = _samples((await http.get(f"http://127.0.0.1:{port}/metrics")).text)
            return scraped.get(("yimen_http_requests_total", labels), 0.0) >= 5

        await eventually(counted, 20, what="the API's requests on its metrics port")
