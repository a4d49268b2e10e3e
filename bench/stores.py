"""The stores a bench writes to: the ones it is given, or ones it makes and removes itself.

A bench never touches data it was not given: with `DATABASE_URL` or `REDIS_URL` set it uses
that as it is (it flushes and drops nothing there); without, it makes a PostgreSQL database
of its own on the local server (`YIMEN_BENCH_POSTGRES`) and starts a Redis of its own on a
free port, and removes both when it ends."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

from common import free_port

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
# A city runs on PostgreSQL; the embedded default is the demo's, where each statement outside
# a transaction opens a connection of its own.
ENGINES = ("postgresql", "embedded")


def engine_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="postgresql",
        help="postgresql: DATABASE_URL, else a database of its own on the local server "
        "(bench/stores.py); embedded: the SQLite default of the demo",
    )


@contextlib.contextmanager
def engine(name: str) -> Iterator[None]:
    """`DATABASE_URL` set for the bench's run on the engine `name` (see `database_url`), or
    unset for the embedded default; a database made for the run is dropped at its end."""
    if name == "embedded":
        os.environ.pop("DATABASE_URL", None)
        yield
        return
    with database_url() as url:
        os.environ["DATABASE_URL"] = url
        yield


@contextlib.contextmanager
def redis_url() -> Iterator[str]:
    """`REDIS_URL` if given, else a private redis-server's, stopped at the end."""
    given = os.environ.get("REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is needed (apt-get install redis-server), or REDIS_URL")
    port, folder = free_port(), tempfile.mkdtemp(prefix="yimen-bench-redis-")
    process = subprocess.Popen(
        [
            *(binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder),
            *("--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("the bench's redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def database_url() -> Iterator[str]:
    """`DATABASE_URL` if given (it should be fresh), else a database made for this run on
    the local PostgreSQL under a name no one else uses, dropped at the end."""
    given = os.environ.get("DATABASE_URL")
    if given:
        yield given
        return
    with scratch_database(os.environ.get("YIMEN_BENCH_POSTGRES", LOCAL_POSTGRES)) as url:
        yield url


@contextlib.contextmanager
def scratch_database(server: str, prefix: str = "yimen_bench") -> Iterator[str]:
    """A database made for this run on the PostgreSQL server that the URL `server` reaches
    (any of its databases: the statements are sent from there), under a name no one else
    uses, dropped at the end."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_execute(server, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunparse(urlparse(server)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _execute(server: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
