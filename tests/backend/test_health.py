import asyncio
import sys

import httpx
import msgspec

from backend.app import create_app
from backend.kernel.settings import Settings
from tests.conftest import Client
from tests.support import eventually, redis_url_or_skip, running


async def test_healthz(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}


async def test_readyz_checks_the_database(client: Client) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


async def test_readyz_checks_redis_when_configured(settings: Settings) -> None:
    url = redis_url_or_skip()
    app = create_app(msgspec.structs.replace(settings, redis_url=url))
    async with running(app) as client:
        response = await client.get("/readyz")
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readyz_says_503_when_redis_is_down(settings: Settings) -> None:
    app = create_app(msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    async with running(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"


async def test_yimen_serve_answers(unused_port: int) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        "serve",
        "--port",
        str(unused_port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient() as http:

            async def answers() -> bool:
                try:
                    ready = await http.get(f"http://127.0.0.1:{unused_port}/readyz")
                except httpx.TransportError:
                    return False
                return ready.status_code == 200

            await eventually(answers, seconds=30, what="yimen serve answering /readyz")
    finally:
        process.terminate()
        await process.wait()
