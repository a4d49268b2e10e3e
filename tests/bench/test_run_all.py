"""bench/run_all on recorded bench outputs: the results file, the chart, and the regression
flag, through the script itself (`--replay` reads what each bench printed in a real run
instead of running it)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECORDED = Path(__file__).with_name("recorded")
BENCHES = (
    "launcher",
    "health_scan",
    "event_dispatch",
    "push_fanout",
    "gov_services",
    "payments",
    "voucher_rush",
    "sos",
    "consult_routing",
    "open_api",
)
PNG = b"\x89PNG\r\n\x1a\n"
# The benches whose recorded runs are sound (event_dispatch's is void).
HEALTHY = ("--only", "launcher,health_scan,push_fanout,gov_services")


class RunAll:
    def __init__(self, tmp: Path, results: Path | None = None) -> None:
        self.results = tmp / "results"
        self.outputs = tmp / "outputs"
        shutil.copytree(RECORDED, self.outputs)
        if results is not None:
            shutil.copytree(results, self.results)

    def run(self, commit: str, *args: str) -> tuple[int, dict[str, Any]]:
        done = subprocess.run(
            [
                *(ROOT / "bench" / "run_all", "--replay", self.outputs),
                *("--results", self.results, "--commit", commit, *args),
            ],
            env={**os.environ, "PYTHON": sys.executable},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.stdout, done.stderr
        return done.returncode, json.loads(done.stdout)

    def results_of(self, commit: str) -> dict[str, Any]:
        (path,) = self.results.glob(f"*-{commit}.json")
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def record(self, bench: str, change: Any) -> None:
        """Alter each recorded run of `bench` with `change(output)`."""
        path = self.outputs / f"{bench}.out"
        text = path.read_text(encoding="utf-8")
        outputs = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        for output in outputs:
            change(output)
        path.write_text("".join(json.dumps(o) + "\n" for o in outputs), encoding="utf-8")


class First(NamedTuple):
    status: int
    headline: dict[str, Any]
    results: dict[str, Any]
    folder: Path


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> First:
    """One run of every bench's recorded output, filed under commit aaaa: the previous
    report of the tests' second runs."""
    run_all = RunAll(tmp_path_factory.mktemp("first"))
    status, headline = run_all.run("aaaa")
    return First(status, headline, run_all.results_of("aaaa"), run_all.results)


@pytest.fixture
def run_all(tmp_path: Path, first: First) -> RunAll:
    """A second run, with the first one's results as its previous report."""
    return RunAll(tmp_path, first.folder)


def test_writes_every_bench_figures_and_a_chart(first: First) -> None:
    results = first.results
    # The recorded event_dispatch run is void: a loaded machine fell behind its load.
    assert (first.status, first.headline["failed"]) == (1, ["event_dispatch"])
    assert list(results["benches"]) == list(BENCHES)
    assert results["size"] == "small"
    assert results["previous"] is None
    assert results["regressions"] == []
    launcher = results["benches"]["launcher"]["figures"]["ratio_to_hello"]
    assert launcher["target"] == 0.8
    assert launcher["spread"][0] <= launcher["value"] <= launcher["spread"][1]
    scans = results["benches"]["health_scan"]["figures"]["scan_to_proof_only"]
    assert scans["target"] == 0.9
    dispatch = results["benches"]["event_dispatch"]["figures"]
    assert {"p99_ms_at_100", "lost_at_100", "highest_rate_holding"} <= set(dispatch)
    assert dispatch["p99_ms_at_100"]["target"] == 500
    # Every figure a target misses is listed, not only flagged in its bench's output.
    assert "launcher.ratio_to_hello" in results["missed_targets"]
    chart = Path(first.headline["chart"])
    assert chart.name == Path(first.headline["results"]).with_suffix(".png").name
    assert chart.read_bytes().startswith(PNG)


def test_a_bench_without_a_spread_of_its_own_is_run_three_times(first: First) -> None:
    recorded = (RECORDED / "push_fanout.out").read_text(encoding="utf-8").splitlines()
    ratios = [json.loads(line)["figures"]["ratio_to_baseline"]["value"] for line in recorded]
    assert len(ratios) == 3, "push_fanout.out holds three runs without a spread of their own"
    fanout = first.results["benches"]["push_fanout"]
    assert fanout["exit_codes"] == [0, 0, 0]
    assert fanout["figures"]["ratio_to_baseline"]["value"] == statistics.median(ratios)
    assert fanout["figures"]["ratio_to_baseline"]["spread"] == [min(ratios), max(ratios)]


def test_a_drop_beyond_the_spread_is_a_regression(run_all: RunAll, first: First) -> None:
    figure = first.results["benches"]["launcher"]["figures"]["ratio_to_hello"]
    low, high = figure["spread"]

    def slower(output: dict[str, Any]) -> None:
        shown = output["figures"]["ratio_to_hello"]
        # The new run's rounds as tight as the old ones, all of them below the old ones'.
        shown["value"] = round(figure["value"] - (high - low) * 1.5, 3)
        shown["spread"] = [shown["value"] - 0.01, shown["value"] + 0.01]

    run_all.record("launcher", slower)
    status, headline = run_all.run("bbbb", *HEALTHY)
    results = run_all.results_of("bbbb")
    assert status == 1
    assert results["previous"] == "{}-aaaa.json".format(results["date"])
    assert [(r["bench"], r["figure"]) for r in results["regressions"]] == [
        ("launcher", "ratio_to_hello")
    ]
    assert headline["regressions"] == results["regressions"]
    assert Path(headline["chart"]).read_bytes().startswith(PNG)


def test_a_drop_within_the_spread_is_not(run_all: RunAll, first: First) -> None:
    figure = first.results["benches"]["launcher"]["figures"]["ratio_to_hello"]
    low, high = figure["spread"]

    def a_little_slower(output: dict[str, Any]) -> None:
        output["figures"]["ratio_to_hello"]["value"] = figure["value"] - (high - low) / 2

    run_all.record("launcher", a_little_slower)
    status, _ = run_all.run("bbbb", *HEALTHY)
    assert status == 0
    assert run_all.results_of("bbbb")["regressions"] == []


def test_a_rise_of_a_lower_is_better_figure_beyond_the_spread_is_a_regression(
    run_all: RunAll,
) -> None:
    def slower(output: dict[str, Any]) -> None:
        shown = output["figures"]["worklist_p95_to_single_row"]
        shown["value"] *= 3
        shown["spread"] = [shown["value"] * 0.9, shown["value"] * 1.1]

    run_all.record("gov_services", slower)
    run_all.run("bbbb", *HEALTHY)
    regressions = run_all.results_of("bbbb")["regressions"]
    assert [(r["bench"], r["figure"]) for r in regressions] == [
        ("gov_services", "worklist_p95_to_single_row")
    ]


def test_results_of_another_size_are_not_compared(run_all: RunAll) -> None:
    run_all.run("bbbb", "--size", "city", *HEALTHY)
    assert run_all.results_of("bbbb")["previous"] is None


def test_a_bench_that_printed_nothing_fails_the_run_and_the_rest_are_kept(
    run_all: RunAll,
) -> None:
    (run_all.outputs / "health_scan.out").write_text("Traceback (most recent call last):\n")
    status, headline = run_all.run("bbbb", *HEALTHY)
    results = run_all.results_of("bbbb")
    assert status == 1
    assert headline["failed"] == ["health_scan"]
    assert "printed no JSON" in results["benches"]["health_scan"]["error"]
    assert results["benches"]["launcher"]["figures"]


def test_a_void_run_is_not_judged(run_all: RunAll) -> None:
    def void(output: dict[str, Any]) -> None:
        output["void"] = "12 measured scans were refused"
        output["figures"]["scan_to_proof_only"]["value"] = 0.01

    run_all.record("health_scan", void)
    status, headline = run_all.run("bbbb", *HEALTHY)
    assert status == 1
    assert headline["failed"] == ["health_scan"]
    assert run_all.results_of("bbbb")["regressions"] == []
