"""`yimen serve` as a person runs it: it answers, and on SIGTERM (a deploy, `docker stop`,
systemd) it stops taking connections but finishes the request under way, however slowly
its client sends it, then stops the app and exits 0."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

import httpx

from tests.support import eventually

BODY = b'{"phone": "13800000001"}'
# Expect: 100-continue, so that the server says when the app starts reading the body:
# from then on the request is under way.
HEAD = (
    b"POST /v1/auth/otp HTTP/1.1\r\nHost: yimen\r\nContent-Type: application/json\r\n"
    b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(BODY)
)


async def _answers(base: str) -> bool:
    async with httpx.AsyncClient() as http:
        try:
            return (await http.get(f"{base}/healthz")).status_code == 200
        except httpx.TransportError:
            return False


async def _refuses(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return True
    writer.close()
    return False


async def test_sigterm_finishes_the_request_under_way(unused_port: int) -> None:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "backend.cli", "serve", "--port", str(unused_port)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await eventually(lambda: _answers(f"http://127.0.0.1:{unused_port}"), 30, what="serving")
        reader, writer = await asyncio.open_connection("127.0.0.1", unused_port)
        writer.write(HEAD)
        continuing = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert continuing == b"HTTP/1.1 100 Continue\r\n\r\n"

        process.send_signal(signal.SIGTERM)
        await eventually(lambda: _refuses(unused_port), 10, what="new connections refused")
        await asyncio.sleep(1)  # a phone on a slow network, still sending
        writer.write(BODY)
        answer = await asyncio.wait_for(reader.read(), 10)  # then the server closes
        writer.close()

        assert answer.startswith(b"HTTP/1.1 202 "), answer
        assert b'"expires_in":300' in answer
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 10)
        if process.returncode is None:
            process.kill()
            await process.wait()
