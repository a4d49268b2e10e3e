"""Yimen/Parse ratios from `run-both`'s JSON lines (Parse's then Yimen's, run after run) on
stdin: one line per run, then one with the median of each over the runs."""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

# (name, Yimen's key, Parse's key): throughput ratios above 1 and latency ratios below 1
# are Yimen's lead.
RATIOS = (
    ("read_rps", "read_rps", "read_rps"),
    ("read_p99", "read_p99_ms", "read_p99_ms"),
    ("create_rps", "create_rps", "create_rps"),
    ("create_p99", "create_p99_ms", "create_p99_ms"),
    ("read_p50", "read_p50_ms", "read_p50_ms"),
    ("create_p50", "create_p50_ms", "create_p50_ms"),
)
# Yimen's own figures, reported beside the ratios: neither may get slower.
OWN = ("launcher_rps", "launcher_p99_ms", "inbox_rps", "inbox_p99_ms", "py_hello_rps")


def ratios(parse: dict[str, Any], yimen: dict[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = {
        name: round(yimen[y] / parse[p], 3) if parse.get(p) else None for name, y, p in RATIOS
    }
    line["errors"] = {"parse": parse.get("errors"), "yimen": yimen.get("errors")}
    line.update({key: yimen.get(key) for key in OWN})
    line["notices_drained_after_load_s"] = yimen.get("checks", {}).get(
        "notices_drained_after_load_s"
    )
    return line


def main() -> None:
    lines = [json.loads(text) for text in sys.stdin if text.strip()]
    runs = [ratios(lines[n], lines[n + 1]) for n in range(0, len(lines) - 1, 2)]
    for n, run in enumerate(runs, 1):
        print(json.dumps({"run": n, **run}))
    median = {
        key: statistics.median(run[key] for run in runs)
        for key in [name for name, _, _ in RATIOS] + list(OWN)
        if all(isinstance(run[key], int | float) for run in runs)
    }
    print(json.dumps({"summary": "yimen/parse, median of runs", "runs": len(runs), **median}))


if __name__ == "__main__":
    main()
