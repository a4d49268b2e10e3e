"""bench/event_dispatch: residents report urgent events at a steady rate; the latency from
each report's 201 to its handler's push arriving at the FCM stand-in.

Real parts throughout: PostgreSQL (DATABASE_URL, default a fresh yimen_bench database), Redis
(REDIS_URL, default db 14 of the local server), one `yimen serve`, one `yimen worker`, and the
FCM stand-in in its own process. This process is the load: reports at --rate per second for
--seconds, then up to 30 s more for the last pushes.

    python bench/event_dispatch/run.py [--rate 200] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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


async def load(base: str, token: str, rate: int, seconds: int) -> dict[int, float]:
    import httpx

    sent: dict[int, float] = {}
    failed: list[int] = []
    body = {"category": "elderly_alert", "description": "独居老人求助"}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, timeout=30, limits=httpx.Limits(max_connections=64)
    ) as http:

        async def one() -> None:
            response = await http.post(
                "/v1/miniapps/grid_events/events", json=body, headers=headers
            )
            if response.status_code == 201:
                sent[int(response.json()["id"])] = time.time()

        tasks = []
        start = time.perf_counter()
        for n in range(rate * seconds):
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    if failed:
        print(f"{len(failed)} reports were not accepted", file=sys.stderr)
    return sent


async def arrivals(fcm: str, expected: int) -> dict[int, float]:
    import httpx

    async with httpx.AsyncClient() as http:
        for _ in range(300):
            rows = (await http.get(f"{fcm}/_arrivals")).json()
            if len(rows) >= expected:
                break
            await asyncio.sleep(0.1)
    return {int(link.rsplit("/", 1)[1]): at for link, at in rows if link}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
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
        sent = asyncio.run(load(base, resident, args.rate, args.seconds))
        arrived = asyncio.run(arrivals(fcm, len(sent)))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    latencies = sorted((arrived[i] - t) * 1000 for i, t in sent.items() if i in arrived)
    lost = len(sent) - len(latencies)
    print(
        json.dumps(
            {
                "rate": args.rate,
                "seconds": args.seconds,
                "reports": len(sent),
                "lost": lost,
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1)
                if latencies
                else None,
                "target_p99_ms": 500,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
