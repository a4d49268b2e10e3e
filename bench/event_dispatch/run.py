"""bench/event_dispatch: residents report urgent events at a steady rate; the latency from
each report's 201 to its handler's push arriving at the FCM stand-in.

Real parts throughout: PostgreSQL, Redis, one `yimen serve`, one `yimen worker`, and the FCM
stand-in in its own process. The stores are the ones given in DATABASE_URL and REDIS_URL,
used as they are, or else a database made for the run on the local PostgreSQL and a
redis-server of the bench's own, both removed at the end (bench/stores.py). This process is
the load, on plain keep-alive sockets: reports at a rate for a warm-up (not counted) and
then a measured stretch, then up to 30 s for the last pushes; a report whose push has not
arrived by then is lost.

Target, at 100 reports/s for --seconds: p99 below 500 ms and none lost. Then a stepped search
for the highest rate that still holds (p99 below 500 ms, none lost or refused, the load
answered on schedule): up by half again from 100 until a rate fails (down by halves if 100
failed), then --refine bisections between the last rate held and the first failed, no new
rate tried after --search-seconds. Also the CPU the API, the worker and the whole machine
(PostgreSQL, Redis, the stand-in and this load included: a quiet machine's figure) spent per
report at 100/s. Spreads: the lowest and highest over 10 s windows of
the measured stretch; the search's, the rates it stopped between.

    python bench/event_dispatch/run.py [--seconds 30] [--step-seconds 15] [--warmup 3]
        [--refine 2] [--max-rate 1000] [--search-seconds 240]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(HERE)]

import stores  # noqa: E402
from common import Figure, free_port, report, wait_for_app, yimen  # noqa: E402
from cpu import Cpu  # noqa: E402
from load import Sent, arrivals, load  # noqa: E402

WORKER_PHONE, RESIDENT_PHONE = "13800000003", "13800000001"
TARGET_RATE, TARGET_P99_MS = 100, 500
WINDOW = 10  # seconds of each window the spreads are taken over
LAST_PUSH_WAIT = 30  # seconds after the load for the last pushes; later ones are lost
DRAIN_WAIT = 90  # seconds a failed rate's backlog may take to clear before the next rate


class Step(NamedTuple):
    """One rate's measured stretch."""

    rate: int
    latencies_ms: list[list[float]]  # per window, in the order the 201s came
    lost: int
    refused: int
    kept_up: bool  # answered within a second of the schedule's end
    cpu_windows: list[dict[str, float]]  # CPU ms per report by part, per window
    cpu_ms: dict[str, float]  # the same over the whole stretch

    @property
    def all_ms(self) -> list[float]:
        return sorted(ms for window in self.latencies_ms for ms in window)

    def p99(self) -> float | None:
        return p99(self.all_ms)

    def holds(self) -> bool:
        worst = self.p99()
        held = worst is not None and worst < TARGET_P99_MS
        return held and self.lost == 0 and self.refused == 0 and self.kept_up

    def summary(self) -> dict[str, object]:
        return {
            "rate": self.rate,
            "p99_ms": self.p99(),
            "lost": self.lost,
            "refused": self.refused,
            "kept_up": self.kept_up,
            "holds": self.holds(),
        }


def p99(values: list[float]) -> float | None:
    ordered = sorted(values)
    return round(ordered[max(int(len(ordered) * 0.99) - 1, 0)], 1) if ordered else None


class Rig:
    """The processes under test, and the pushes they owe so far."""

    def __init__(self, env: dict[str, str], base: str, fcm: str, pids: tuple[int, int]) -> None:
        self.env, self.base, self.fcm, self.pids = env, base, fcm, pids
        self.owed = 0  # pushes for every report created so far, warm-ups included
        self.token = yimen(env, "dev-token", "--phone", RESIDENT_PHONE)

    def step(self, rate: int, seconds: int, warmup: int) -> Step:
        samples: list[Cpu] = []
        sent = asyncio.run(
            load(
                self.base,
                self.token,
                rate=rate,
                seconds=seconds,
                warmup=warmup,
                tick=lambda: samples.append(Cpu.now(*self.pids)),
            )
        )
        self.owed += sent.created
        arrived = asyncio.run(arrivals(self.fcm, self.owed, wait=LAST_PUSH_WAIT))
        samples.append(Cpu.now(*self.pids))
        return measured(rate, seconds + warmup, sent, arrived, samples)

    def drained(self) -> bool:
        """Whether every push owed has arrived, waiting up to DRAIN_WAIT for a backlog."""
        return len(asyncio.run(arrivals(self.fcm, self.owed, wait=DRAIN_WAIT))) >= self.owed


def measured(
    rate: int, scheduled: int, sent: Sent, arrived: dict[int, float], samples: list[Cpu]
) -> Step:
    """A stretch's latencies and CPU by window; samples[i] is the CPU at its i-th second,
    and the last the CPU once the pushes had arrived."""
    first = min(sent.answered_at.values(), default=0.0)
    windows: dict[int, list[float]] = {}
    for event, answered in sent.answered_at.items():
        if event in arrived:
            windows.setdefault(int((answered - first) // WINDOW), []).append(
                (arrived[event] - answered) * 1000
            )
    last = len(samples) - 1
    bounds = [*range(0, last, WINDOW), last]
    cpu = [
        samples[end].ms_per_report(samples[start], rate * (end - start))
        for start, end in itertools.pairwise(bounds)
    ]
    lost = sum(1 for event in sent.answered_at if event not in arrived)
    return Step(
        rate,
        [windows[n] for n in sorted(windows)],
        lost,
        sent.refused,
        sent.seconds <= scheduled + 1,
        cpu,
        samples[-1].ms_per_report(samples[0], len(sent.answered_at)),
    )


def search(rig: Rig, first: Step, args: argparse.Namespace) -> tuple[int, int, list[Step]]:
    """The highest rate found to hold, the lowest found to fail (the highest tried if none
    failed), and the steps taken after `first`."""
    held, failed = (first.rate, 0) if first.holds() else (0, first.rate)
    steps, refined = [], 0
    ends = time.monotonic() + args.search_seconds
    while time.monotonic() < ends and rig.drained():
        if held and failed:
            if failed - held <= 10 or refined >= args.refine:
                break
            rate, refined = round((held + failed) / 20) * 10, refined + 1
        elif held:
            rate = round(held * 1.5 / 10) * 10
            if rate > args.max_rate:
                break
        else:
            rate = failed // 2
            if rate < 10:
                break
        step = rig.step(rate, args.step_seconds, args.warmup)
        steps.append(step)
        held, failed = (rate, failed) if step.holds() else (held, rate)
    return held, failed or max(s.rate for s in [first, *steps]), steps


@contextmanager
def rig(stack: ExitStack) -> Iterator[Rig]:
    from tests.push.fcm_standin import PROJECT, write_service_account

    fcm_port, api_port = free_port(), free_port()
    fcm = f"http://127.0.0.1:{fcm_port}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DATABASE_URL": stack.enter_context(stores.database_url()),
        "REDIS_URL": stack.enter_context(stores.redis_url()),
        "FIREBASE_CREDENTIALS": str(write_service_account(Path(tempfile.mkdtemp()))),
        "FIREBASE_PROJECT_ID": PROJECT,
        "FCM_ENDPOINT": fcm,
        "YIMEN_LOG_LEVEL": "WARNING",
        # A line per request is a dev convenience, off in production: not part of the cost.
        "YIMEN_ACCESS_LOG": "false",
        # One resident at one address sends every report: the report limits are sized
        # above any rate this bench asks for, not lifted.
        "YIMEN_RATE_REPORTS_PER_USER": "1000000/m",
        "YIMEN_RATE_REPORTS_PER_ADDRESS": "1000000/m",
    }
    for command in (["migrate"], ["seed-demo"]):
        yimen(env, *command)
    cli = [sys.executable, "-m", "backend.cli"]
    # Their output to stderr: stdout is the bench's JSON alone.
    quiet = {"env": env, "stdout": sys.stderr}
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.push.fcm_standin", str(fcm_port)], **quiet),
        subprocess.Popen([*cli, "serve", "--port", str(api_port)], **quiet),
        subprocess.Popen([*cli, "worker"], **quiet),
    ]
    try:
        wait_for_app(api_port)
        base = f"http://127.0.0.1:{api_port}"
        worker = yimen(env, "dev-token", "--phone", WORKER_PHONE)
        register_device(base, worker)
        yield Rig(env, base, fcm, (processes[1].pid, processes[2].pid))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def register_device(base: str, token: str) -> None:
    import httpx

    response = httpx.post(
        f"{base}/v1/devices",
        json={"address": "bench-g07-worker", "platform": "android"},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()


def figures(target: Step, held: int, failed: int) -> dict[str, Figure]:
    windows = [w for w in (p99(ms) for ms in target.latencies_ms) if w is not None]
    worst = target.p99()
    cpu = {
        f"cpu_ms_per_report_{part}": Figure(
            target.cpu_ms[part],
            "ms",
            "lower",
            spread=(
                min(w[part] for w in target.cpu_windows),
                max(w[part] for w in target.cpu_windows),
            ),
        )
        for part in ("machine", "api", "worker")
    }
    return {
        "p99_ms_at_100": Figure(
            # No push arrived at all: at least the wait for the last ones.
            worst if worst is not None else LAST_PUSH_WAIT * 1000.0,
            "ms",
            "lower",
            TARGET_P99_MS,
            (min(windows), max(windows)) if windows else None,
        ),
        "lost_at_100": Figure(target.lost, "reports", "lower", 0),
        "highest_rate_holding": Figure(held, "reports/s", "higher", spread=(held, failed)),
        **cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--step-seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--refine", type=int, default=2)
    parser.add_argument("--max-rate", type=int, default=1000)
    parser.add_argument(
        "--search-seconds", type=int, default=240, help="no new rate tried after this long"
    )
    args = parser.parse_args()
    with ExitStack() as stack, rig(stack) as bench:
        target = bench.step(TARGET_RATE, args.seconds, args.warmup)
        held, failed, steps = search(bench, target, args)
    all_ms = target.all_ms
    report(
        "event_dispatch",
        figures(target, held, failed),
        {
            "rate": TARGET_RATE,
            "seconds": args.seconds,
            "reports": len(all_ms) + target.lost,
            "refused": target.refused,
            "p50_ms": round(statistics.median(all_ms), 1) if all_ms else None,
            "kept_up": target.kept_up,
            "cores_busy_at_rate": round(target.cpu_ms["machine"] * TARGET_RATE / 1000, 2),
            "search": [s.summary() for s in [target, *steps]],
        },
        void=None if target.kept_up else "the API did not answer the load on schedule",
    )


if __name__ == "__main__":
    main()
