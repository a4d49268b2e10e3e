"""bench/push_fanout: per-device sends, and a district alert to a million phones.

The stand-in runs as its own process; this process is a Yimen host on the embedded default
(or DATABASE_URL), sending through the real firebase-admin client.

Per device: one notification to 10,000 devices; the figure is plain httpx posting the same
number of FCM requests, 100 at a time, to the same stand-in, divided by Yimen's time (the
share of the wire's speed Yimen keeps). District alert: an urgent notice to everyone in a
district with 1,000,000 phones in its topic, sent as FCM topic sends (one per language);
the requests the stand-in received, the time until they had, and the time until every
resident's inbox row was written.

    python bench/push_fanout/run.py [--devices 10000] [--subscribers 1000000]

Its figures are printed in the shared form (bench/common.py report).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import Figure, demo_environment, free_port, pinned, report  # noqa: E402
from push_fanout.district import alert  # noqa: E402

T = TypeVar("T")
TARGET = 0.9  # per-device sends: at least this share of plain httpx's speed


async def _wait_received(http: object, base: str, count: int) -> float:
    while True:
        stats = (await http.get(f"{base}/_stats")).json()  # type: ignore[attr-defined]
        if stats["received"] >= count:
            return time.perf_counter()
        await asyncio.sleep(0.01)


async def baseline(base: str, count: int) -> float:
    import httpx

    limit = asyncio.Semaphore(100)
    body = {"message": {"token": "baseline", "notification": {"title": "t", "body": "b"}}}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as http:

        async def one() -> None:
            async with limit:
                await http.post(
                    f"{base}/v1/projects/yimen-test/messages:send",
                    json=body,
                    headers={"Authorization": "Bearer x"},
                )

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count)))
        return time.perf_counter() - start


async def fanout(base: str, count: int) -> float:
    import httpx

    from backend.directory.users.service import account_for_phone
    from backend.host import Host, load_registry
    from backend.kernel.audience import Audience
    from backend.kernel.db import close_database, current_engine, open_database
    from backend.kernel.events import unit_of_work
    from backend.kernel.events.outbox import bus_in_use
    from backend.kernel.services import Services
    from backend.kernel.settings import get_settings
    from backend.kernel.templates import Template
    from backend.kernel.vault import vault_for
    from push.service import record_notification
    from push.tables import Device

    settings = get_settings()
    await open_database(current_engine())
    user = await account_for_phone(phone="13900000000", vault=vault_for(settings.secret))
    for start in range(0, count, 1000):
        await Device.insert(
            *[
                Device(user_id=user, kind="token", address=f"bench-{n:06d}", platform="android")
                for n in range(start, min(start + 1000, count))
            ]
        )
    host = Host(Services(settings, load_registry(), current_engine()))
    await host.start(runs_jobs=True)
    assert host.services.bus is not None
    template = Template(
        key="bench", category="bench", titles={"zh-CN": "演练"}, bodies={"zh-CN": "第{n}次"}
    )
    async with httpx.AsyncClient() as http:
        already = (await http.get(f"{base}/_stats")).json()["received"]
        started = time.perf_counter()
        with bus_in_use(host.services.bus):
            async with unit_of_work():
                await record_notification(
                    audience=Audience.users(user),
                    template=template,
                    data={"n": "1"},
                    source="bench",
                    urgent=True,
                )
        finished = await _wait_received(http, base, already + count)
    await host.stop()
    await close_database(current_engine())
    return finished - started


def _wait_for(base: str) -> None:
    """Until the stand-in answers: on a busy machine it takes its time to start."""
    import httpx

    for _ in range(600):
        try:
            httpx.get(f"{base}/_stats", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit("the FCM stand-in did not start")


def _runner() -> Callable[[Coroutine[Any, Any, T]], T]:
    """uvloop's loop when the bench extra is installed (`pip install -e .[bench]`), else
    asyncio's: the figures are ratios within one run, so either serves."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    args = parser.parse_args()
    env = demo_environment()
    port = free_port()
    standin = subprocess.Popen(
        [*pinned(1), sys.executable, "-m", "tests.push.fcm_standin", str(port)], cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    run = _runner()
    try:
        _wait_for(base)
        from tests.push.fcm_standin import write_service_account

        os.environ.update(env)
        os.environ.update(
            {
                "FIREBASE_CREDENTIALS": str(write_service_account(Path(tempfile.mkdtemp()))),
                "FIREBASE_PROJECT_ID": "yimen-test",
                "FCM_ENDPOINT": base,
                "YIMEN_LOG_LEVEL": "WARNING",
            }
        )
        if pinned(0):
            os.sched_setaffinity(0, {0})
        raw = run(baseline(base, args.devices))
        yimen = run(fanout(base, args.devices))
        district = run(alert(base, args.subscribers)) if args.subscribers else None
    finally:
        standin.terminate()
        standin.wait()
    report(
        "push_fanout",
        figures(raw, yimen, args.devices, district),
        {
            "devices": args.devices,
            "baseline_seconds": round(raw, 2),
            "district_alert": district,
            "loop": run.__module__.split(".")[0],
        },
        void=_district_incomplete(district),
    )


def figures(
    raw: float, yimen: float, devices: int, district: dict[str, Any] | None
) -> dict[str, Figure]:
    """Per device: the share of plain httpx's speed Yimen keeps. The district alert: the
    requests its send made, at most one per language, and how long it and the inboxes took."""
    shown = {
        "ratio_to_baseline": Figure(round(raw / yimen, 3), "ratio", "higher", TARGET),
        "seconds_to_last_send": Figure(round(yimen, 2), "s", "lower"),
        "sends_per_second": Figure(round(devices / yimen), "per s", "higher"),
    }
    if district is not None:
        shown |= {
            "district_requests": Figure(
                district["requests"], "requests", "lower", district["target_requests"]
            ),
            "district_seconds_to_sent": Figure(district["seconds_to_sent"], "s", "lower"),
            "district_seconds_to_every_inbox": Figure(
                district["seconds_to_every_inbox"], "s", "lower"
            ),
        }
    return shown


def _district_incomplete(district: dict[str, Any] | None) -> str | None:
    """A district alert whose inboxes fell short measured less than it claims."""
    if district is None or district["inbox_rows"] == district["recipients"]:
        return None
    return f"{district['inbox_rows']} inbox rows for {district['recipients']} recipients"


if __name__ == "__main__":
    main()
