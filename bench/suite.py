"""Every benchmark in one go (bench/run_all): each bench's one JSON object in the shared form
(common.report) gathered into `bench/results/<date>-<commit>.json`, a PNG chart of every
figure against its target and the previous report beside it, and the regressions flagged:
figures that moved the wrong way by more than their spread (verdict.py).

A bench that measures no spread of its own is run three times and its spread taken over
the runs. The benches run one after another, each as its own process, on the stores the
environment gives them (DATABASE_URL, REDIS_URL) or else on ones they make themselves.

    bench/run_all [--size small|city] [--only NAME,...] [--results DIR] [--replay DIR]
        [--timeout SECONDS]

`--replay DIR` reads each bench's recorded output from DIR/<bench>.out (one JSON object per
run) instead of running it. Exits 1 when a bench failed or was void, or a regression was
flagged; a missed target is listed, and shown in the chart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import chart  # noqa: E402
import verdict  # noqa: E402

REPEATS = 3  # runs of a bench that measures no spread of its own

# Each bench's command line at a dataset size: the benches that seed data take the size.
BENCHES: dict[str, Callable[[str], list[str]]] = {
    "launcher": lambda size: ["bench/launcher/run.py"],
    "health_scan": lambda size: ["bench/health_scan/run.py"],
    "event_dispatch": lambda size: ["bench/event_dispatch/run.py"],
    # A district's devices one by one at the city size; its whole alert is a topic send.
    "push_fanout": lambda size: (
        ["bench/push_fanout/run.py"] + (["--devices", "100000"] if size == "city" else [])
    ),
    "gov_services": lambda size: ["bench/gov_services/run.py", "--size", size],
    "payments": lambda size: ["bench/payments/run.py"],
    "voucher_rush": lambda size: ["bench/voucher_rush/run.py"],
    "sos": lambda size: ["bench/sos/run.py"],
    "consult_routing": lambda size: ["bench/consult_routing/run.py"],
    "open_api": lambda size: ["bench/open_api/run.py"],
}


class Run(NamedTuple):
    stdout: str
    stderr: str
    returncode: int
    seconds: float


Runner = Callable[[str, str], Run]


def live(timeout: int) -> Runner:
    """A runner that runs each bench as its own process, for at most `timeout` seconds."""
    return functools.partial(_live, timeout=timeout)


def _live(bench: str, size: str, *, timeout: int) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *BENCHES[bench](size)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # SIGINT, not SIGTERM: the bench's `finally` blocks stop the servers it started.
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
        err = f"{err}\nnot done within {timeout} s"
    return Run(out, err, process.returncode, time.perf_counter() - started)


def replay(folder: Path) -> Runner:
    """A runner that answers each bench's runs from its recorded output, in turn."""
    taken: dict[str, int] = {}

    def recorded(bench: str, size: str) -> Run:
        path = folder / f"{bench}.out"
        if not path.exists():
            return Run("", f"no recorded output at {path}", 1, 0.0)
        outputs = verdict.objects_in(path.read_text(encoding="utf-8"))
        n = taken[bench] = taken.get(bench, -1) + 1
        output = outputs[min(n, len(outputs) - 1)] if outputs else None
        if output is None:
            return Run("", "", 1, 0.0)
        missed = any(f.get("met") is False for f in output.get("figures", {}).values())
        return Run(json.dumps(output), "", int(bool(output.get("void")) or missed), 0.0)

    return recorded


def outcome(bench: str, size: str, runner: Runner) -> dict[str, Any]:
    """What one bench measured, its runs taken together, or why it measured nothing."""
    runs: list[Run] = []
    outputs: list[dict[str, Any]] = []
    try:
        while not outputs or (verdict.lacks_spread(outputs[0]) and len(outputs) < REPEATS):
            runs.append(runner(bench, size))
            outputs.append(parsed(bench, runs[-1]))
    except ValueError as err:
        result: dict[str, Any] = {"error": str(err)}
    else:
        result = {key: value for key, value in verdict.together(outputs).items() if key != "bench"}
    result["exit_codes"] = [run.returncode for run in runs]
    result["seconds"] = round(sum(run.seconds for run in runs), 1)
    return result


def parsed(bench: str, run: Run) -> dict[str, Any]:
    objects = verdict.objects_in(run.stdout)
    if not objects:
        tail = "\n".join(run.stderr.strip().splitlines()[-5:])
        raise ValueError(f"{bench} printed no JSON (exit {run.returncode}): {tail}")
    return verdict.shared_form(bench, objects[-1])


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run_all")
    parser.add_argument("--size", choices=("small", "city"), default="small")
    parser.add_argument("--only", help="comma-separated benches (default: all)")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--replay", type=Path, help="recorded outputs instead of running")
    parser.add_argument("--commit", help="the commit to file the results under (default HEAD)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one bench run may take")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(BENCHES)
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        parser.error(f"unknown benches {unknown}; known: {', '.join(BENCHES)}")
    runner = replay(args.replay) if args.replay else live(args.timeout)
    started = dt.datetime.now(dt.UTC)
    commit = args.commit or git("rev-parse", "--short=10", "HEAD")
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"{started:%Y-%m-%d}-{commit}.json"
    before = verdict.previous_results(args.results, args.size, besides=path)
    previous = json.loads(before.read_text(encoding="utf-8")) if before else None
    results: dict[str, Any] = {
        "date": f"{started:%Y-%m-%d}",
        "commit": commit,
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "size": args.size,
        "started_at": started.isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "load_average_before": [round(n, 2) for n in os.getloadavg()],
        "previous": before.name if before else None,
        "benches": {},
    }
    for name in names:
        print(f"[run_all] {name} ...", file=sys.stderr, flush=True)
        results["benches"][name] = outcome(name, args.size, runner)
        print(f"[run_all] {name}: {summary(results['benches'][name])}", file=sys.stderr)
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["load_average_after"] = [round(n, 2) for n in os.getloadavg()]
    results["regressions"] = verdict.regressions(results, previous)
    results["missed_targets"] = verdict.missed_targets(results)
    results["chart"] = path.with_suffix(".png").name
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    chart.draw(results, previous, path.with_suffix(".png"))
    print(json.dumps(headline(results, path), indent=2, ensure_ascii=False))
    failed = [n for n, r in results["benches"].items() if not verdict.judged(r)]
    return 1 if failed or results["regressions"] else 0


def summary(result: dict[str, Any]) -> str:
    if result.get("error"):
        return f"FAILED: {result['error']}"
    shown = ", ".join(
        f"{name} {figure['value']:g}" + {True: " ok", False: " MISSED", None: ""}[figure["met"]]
        for name, figure in result["figures"].items()
    )
    return f"VOID ({result['void']}): {shown}" if result.get("void") else shown


def headline(results: dict[str, Any], path: Path) -> dict[str, Any]:
    return {
        "results": str(path),
        "chart": str(path.with_suffix(".png")),
        "previous": results["previous"],
        "figures": {
            f"{bench}.{name}": figure["value"]
            for bench, result in results["benches"].items()
            for name, figure in result.get("figures", {}).items()
        },
        "failed": [n for n, r in results["benches"].items() if not verdict.judged(r)],
        "missed_targets": results["missed_targets"],
        "regressions": results["regressions"],
    }


if __name__ == "__main__":
    sys.exit(main())
