"""Shared parts of the benchmarks: a demo database, a server process, and wrk as the load.

The server and the load generator run as separate processes on loopback, pinned to
different cores when the machine has two; every figure is reported next to a baseline
measured in the same run, on the same server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import NamedTuple, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(core: int) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(core)]
    return []


def demo_environment() -> dict[str, str]:
    """A fresh demo city on SQLite unless DATABASE_URL says otherwise."""
    env = dict(os.environ)
    # The app of this tree, wherever the bench is started from: a script's own folder is
    # on its path, not the working directory, and the venv's editable install may be
    # another checkout.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if not env.get("DATABASE_URL"):
        env["YIMEN_SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="yimen-bench-")) / "db.sqlite3")
    env.setdefault("YIMEN_LOG_LEVEL", "WARNING")
    env.setdefault("YIMEN_ACCESS_LOG", "false")  # a dev convenience, off in production
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run(
            [sys.executable, "-m", "backend.cli", *command],
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def yimen(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


@contextlib.contextmanager
def server(script: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    # In a session of its own: if it will not stop, its workers are stopped with it.
    process = subprocess.Popen(
        [*pinned(0), sys.executable, str(script), str(port)], env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_app(port)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            print("the server did not stop within 20 s of SIGTERM: killed", file=sys.stderr)


def wait_for_app(port: int) -> None:
    """Until the app answers, not until the port takes connections: the server's main
    process listens before its worker has imported the app and run its start-up."""
    # A minute: a busy machine's start-up (imports, migrations check, key load) can take 20 s.
    for _ in range(1200):
        if _answers(port):
            return
        time.sleep(0.05)
    raise SystemExit(f"the server on port {port} did not answer within a minute")


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


class Load(NamedTuple):
    """What one wrk run measured: its rate, and how many responses it counted."""

    requests_per_second: float
    requests: int


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> float:
    """Requests per second that wrk measured; non-2xx answers fail the run."""
    return wrk_load(
        url, seconds=seconds, connections=connections, headers=headers, script=script
    ).requests_per_second


def wrk_load(
    url: str,
    *,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> Load:
    """The rate and the count of responses that wrk measured; non-2xx answers fail the run."""
    out = _wrk(url, seconds, connections, headers, script)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in ", out)
    if rate is None or count is None:
        raise SystemExit(f"cannot read wrk's output:\n{out}")
    return Load(float(rate.group(1)), int(count.group(1)))


class Latency(NamedTuple):
    """What one wrk run measured of the time to each answer, in milliseconds."""

    requests_per_second: float
    p50: float
    p95: float
    p99: float


# wrk's own summary prints no 95th percentile; its `done` hook can.
_PERCENTILES = (
    "done = function(summary, latency, requests)\n"
    '  io.write(string.format("percentiles_us %d %d %d\\n", latency:percentile(50),'
    " latency:percentile(95), latency:percentile(99)))\n"
    "end\n"
)


def wrk_latency(
    url: str, *, seconds: int, connections: int, headers: dict[str, str] | None = None
) -> Latency:
    """The rate and the 50th, 95th and 99th percentile of the time to an answer, as wrk
    measured them; non-2xx answers fail the run."""
    script = Path(tempfile.mkdtemp(prefix="yimen-bench-")) / "percentiles.lua"
    script.write_text(_PERCENTILES, encoding="utf-8")
    out = _wrk(url, seconds, connections, headers, script)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    found = re.search(r"percentiles_us (\d+) (\d+) (\d+)", out)
    if rate is None or found is None:
        raise SystemExit(f"cannot read wrk's output:\n{out}")
    p50, p95, p99 = (int(found.group(n)) / 1000 for n in (1, 2, 3))
    return Latency(float(rate.group(1)), p50, p95, p99)


def _wrk(
    url: str,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None,
    script: Path | None,
) -> str:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    command = [*pinned(1), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    return out


def in_database(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` in this process against the database the environment names (set
    `os.environ` from `demo_environment()` first)."""

    async def opened() -> T:
        from backend.kernel.db import close_database, current_engine, open_database

        await open_database(current_engine())
        try:
            return await work()
        finally:
            await close_database(current_engine())

    return asyncio.run(opened())


class Figure(NamedTuple):
    """One figure a bench reports, in the form every bench shares (`report`).

    `spread` is the lowest and highest the figure took over the bench's rounds (or its
    windows, or the rates its search stopped between): how far it moves on its own, so that
    `bench/run_all` calls a change a regression only when it goes beyond that."""

    value: float
    unit: str
    better: str  # "higher" or "lower"
    target: float | None = None
    spread: tuple[float, float] | None = None

    def met(self) -> bool | None:
        """The target reached: at least it when higher is better, at most it when lower is
        (none lost is a target of 0), as bench/verdict.py judges too."""
        if self.target is None:
            return None
        return self.value >= self.target if self.better == "higher" else self.value <= self.target


def figure(
    values: list[float],
    *,
    unit: str,
    better: str,
    target: float | None = None,
    digits: int = 3,
) -> Figure:
    """The median of a bench's rounds, with their lowest and highest as its spread."""
    spread = (round(min(values), digits), round(max(values), digits))
    return Figure(round(statistics.median(values), digits), unit, better, target, spread)


def report(
    bench: str,
    figures: dict[str, Figure],
    details: dict[str, object],
    *,
    void: str | None = None,
) -> None:
    """Print the bench's one JSON object and end the run: status 0 when every target is met,
    1 when one is missed, and a message on stderr when the run measured something other than
    it claims (`void`: its figures must not be used)."""
    print(
        json.dumps(
            {
                "bench": bench,
                "figures": {
                    name: {**f._asdict(), "spread": f.spread and list(f.spread), "met": f.met()}
                    for name, f in figures.items()
                },
                "details": details,
                "void": void,
                "cores": os.cpu_count(),
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    if void:
        raise SystemExit(f"{bench}: the run is void: {void}")
    missed = [name for name, f in figures.items() if f.met() is False]
    if missed:
        raise SystemExit(f"{bench}: target missed: {', '.join(missed)}")


# How much the benches that seed data seed: `small` fits a 2-core machine's run of a few
# minutes, `city` stands for a city of a million residents (bench/run_all --size).
SIZES = ("small", "city")


def size_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", choices=SIZES, default="small")
