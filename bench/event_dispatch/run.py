"""bench/event_dispatch: residents report urgent events at a steady rate; the latency from
each report's 201 to its handler's push arriving at the FCM stand-in.

Real parts throughout: PostgreSQL (DATABASE_URL, default a fresh yimen_bench database), Redis
(REDIS_URL, default db 14 of the local server), one `yimen serve`, one `yimen worker`, and the
FCM stand-in in its own process. This process is the load, on plain keep-alive sockets:
reports at --rate per second for --warmup seconds (not counted) and then --seconds more,
then up to 30 s for the last pushes. It also reports the CPU the API, the worker and the
whole machine (PostgreSQL, Redis, the stand-in and this load included) spent per report,
the cores that makes busy at --rate, and how long the load took to be answered (longer
than --warmup + --seconds means the API fell behind the rate).

    python bench/event_dispatch/run.py [--rate 200] [--seconds 60] [--warmup 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import free_port, yimen  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/yimen_bench"
WORKER_PHONE, RESIDENT_PHONE = "13800000003", "13800000001"


def environment(fcm: str) -> dict[str, str]:
    from tests.push.fcm_standin import PROJECT, write_service_account

    env = dict(os.environ)
    env.setdefault("DATABASE_URL", PG)
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    env.update(
        {
            "FIREBASE_CREDENTIALS": str(write_service_account(Path(tempfile.mkdtemp()))),
            "FIREBASE_PROJECT_ID": PROJECT,
            "FCM_ENDPOINT": fcm,
            "YIMEN_LOG_LEVEL": "WARNING",
            # One resident at one address sends every report: the report limits are sized
            # above any rate this bench asks for (about 1,600 a second), not lifted.
            "YIMEN_RATE_REPORTS_PER_USER": "100000/m",
            "YIMEN_RATE_REPORTS_PER_ADDRESS": "100000/m",
        }
    )
    return env


def fresh_database(env: dict[str, str]) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "services.py"),
            "fresh-database",
            env["DATABASE_URL"],
        ],
        check=True,
    )
    subprocess.run(["redis-cli", "-n", "14", "flushdb"], check=True, capture_output=True)
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run(
            [sys.executable, "-m", "backend.cli", *command],
            env=env,
            check=True,
            capture_output=True,
        )


async def register_device(base: str, token: str) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{base}/v1/devices",
            json={"address": "bench-g07-worker", "platform": "android"},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()


class Connection:
    """One keep-alive HTTP/1.1 connection that sends prepared requests: a load this light
    keeps its own delays out of the figures (httpx costs milliseconds a request)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def post(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        return status, await self.reader.readexactly(length)


async def load(
    base: str, token: str, rate: int, seconds: int, warmup: int
) -> tuple[dict[int, float], int]:
    """Reports at `rate` per second on a fixed schedule, each on a free connection, the first
    `warmup` seconds' worth not counted (connections and caches filling); returns when each
    counted report's 201 arrived, and how many were refused."""
    host, port = base.removeprefix("http://").split(":")
    body = json.dumps({"category": "elderly_alert", "description": "独居老人求助"}).encode()
    request = (
        f"POST /v1/miniapps/grid_events/events HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(64):
        idle.put_nowait(Connection(*await asyncio.open_connection(host, int(port))))
    sent: dict[int, float] = {}
    refused = 0

    async def one(counted: bool) -> None:
        nonlocal refused
        connection = await idle.get()
        try:
            status, answer = await connection.post(request)
        finally:
            idle.put_nowait(connection)
        if status != 201:
            refused += 1
        elif counted:
            sent[int(json.loads(answer)["id"])] = time.time()

    tasks = []
    start = time.perf_counter()
    for n in range(rate * (warmup + seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n >= rate * warmup)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait().writer.close()
    return sent, refused


async def arrivals(fcm: str, expected: int) -> dict[int, float]:
    import httpx

    async with httpx.AsyncClient() as http:
        for _ in range(300):
            rows = (await http.get(f"{fcm}/_arrivals")).json()
            if len(rows) >= expected:
                break
            await asyncio.sleep(0.1)
    return {int(link.rsplit("/", 1)[1]): at for link, at in rows if link}


def cpu_seconds(pid: int) -> float:
    """CPU time a process and its descendants have spent: `yimen serve` answers in the
    worker processes it starts, not in its own."""
    spent: dict[int, int] = {}
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process that ended while we looked
            fields = stat.read_text().rsplit(")", 1)[1].split()
            process = int(stat.parent.name)
            spent[process] = int(fields[11]) + int(fields[12])
            children.setdefault(int(fields[1]), []).append(process)
    family, ticks = [pid], 0
    while family:
        process = family.pop()
        ticks += spent.get(process, 0)
        family += children.get(process, [])
    return ticks / os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy, every process and the kernel's share."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    fcm_port, api_port = free_port(), free_port()
    fcm = f"http://127.0.0.1:{fcm_port}"
    env = environment(fcm)
    fresh_database(env)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.push.fcm_standin", str(fcm_port)], cwd=ROOT, env=env
        ),
        subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--port", str(api_port)], env=env
        ),
        subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], env=env),
    ]
    base = f"http://127.0.0.1:{api_port}"
    try:
        time.sleep(4)
        worker = yimen(env, "dev-token", "--phone", WORKER_PHONE)
        resident = yimen(env, "dev-token", "--phone", RESIDENT_PHONE)
        asyncio.run(register_device(base, worker))
        api_pid, worker_pid = processes[1].pid, processes[2].pid
        cpu_before = cpu_seconds(api_pid), cpu_seconds(worker_pid), busy_seconds()
        started = time.perf_counter()
        sent, refused = asyncio.run(load(base, resident, args.rate, args.seconds, args.warmup))
        load_seconds = time.perf_counter() - started
        warm = args.rate * args.warmup
        arrived = asyncio.run(arrivals(fcm, len(sent) + warm))
        handled = len(sent) + warm
        cpu_ms = {
            name: round((cpu_seconds(pid) - before) * 1000 / handled, 2)
            for name, pid, before in (
                ("api", api_pid, cpu_before[0]),
                ("worker", worker_pid, cpu_before[1]),
            )
        }
        cpu_ms["machine"] = round((busy_seconds() - cpu_before[2]) * 1000 / handled, 2)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    if os.environ.get("BENCH_TRACE"):
        trace = sorted((t, (arrived.get(i, t + 999) - t) * 1000) for i, t in sent.items())
        Path(os.environ["BENCH_TRACE"]).write_text(json.dumps(trace))
    latencies = sorted((arrived[i] - t) * 1000 for i, t in sent.items() if i in arrived)
    lost = len(sent) - len(latencies)
    print(
        json.dumps(
            {
                "rate": args.rate,
                "seconds": args.seconds,
                "warmup_seconds": args.warmup,
                "reports": len(sent),
                "refused": refused,
                "load_seconds": round(load_seconds, 1),
                "lost": lost,
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1)
                if latencies
                else None,
                "target_p99_ms": 500,
                "cpu_ms_per_report": cpu_ms,
                "cores_busy_at_rate": round(cpu_ms["machine"] * args.rate / 1000, 2),
                "cores": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
