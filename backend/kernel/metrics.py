"""Prometheus metrics: every metric Yimen exports, by its agreed name, and how they are read.

The names are defined here, in one place, because dashboards and alert rules
(docs/operations.md) are written against them; the parts count through the typed functions
below, so a misspelt label value is a type error rather than a new time series.

A process's counters are process-wide by nature, so they live at module level. Under
`yimen serve --workers N` and beside `yimen worker`, every process writes its counters to
files in one directory (prometheus-client's multiprocess mode; `PROMETHEUS_MULTIPROC_DIR`,
prepared by the CLI before any worker starts) and a scrape of any API process adds them all
up. Without that directory (tests, an app built in-process) they are kept in memory.

Gauges are never written to that directory: the outbox backlog and the queue depth are read
from the database and Redis when scraped (`Reading`), so a dead worker leaves no stale gauge
behind, only the counts it made, which must keep counting toward the totals.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    start_http_server,
    values,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The text format every Prometheus reads; the charset is added by the response.
CONTENT_TYPE = "text/plain; version=0.0.4"
# What a request that matched no route is counted under: never its raw path, which anyone
# can vary without end.
UNMATCHED_ROUTE = "<unmatched>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

JobOutcome = Literal["ok", "retry", "failed"]
OtpOutcome = Literal["sent", "refused", "throttled", "bad_number", "failed"]

# A `_created` series per counter doubles what is scraped and is not written in
# multiprocess mode anyway: one exposition whatever the mode.
disable_created_metrics()  # type: ignore[no-untyped-call]

# The counters of this process; in multiprocess mode they are read back from the files.
_REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "yimen_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
    registry=_REGISTRY,
)
_BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)
HTTP_DURATION = Histogram(
    "yimen_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ("method", "route"),
    buckets=_BOUNDS,
    registry=_REGISTRY,
)
JOBS = Counter(
    "yimen_jobs",
    "Jobs run, by job and outcome (ok, retry: arq runs it again, failed: raised or cut off).",
    ("job", "outcome"),
    registry=_REGISTRY,
)
PUSH_DELIVERIES = Counter(
    "yimen_push_deliveries",
    "Push messages handed to a provider, by provider and the provider's answer.",
    ("provider", "status"),
    registry=_REGISTRY,
)
SCANS = Counter(
    "yimen_scans",
    "Health codes scanned at checkpoints, by verdict (valid, or why not).",
    ("verdict",),
    registry=_REGISTRY,
)
OTP_CODES = Counter(
    "yimen_otp_codes",
    "One-time login codes, by outcome (sent, refused by our limits, or the SMS provider's "
    "throttled, bad_number, failed).",
    ("outcome",),
    registry=_REGISTRY,
)
RATE_LIMITED = Counter(
    "yimen_rate_limited",
    "Requests refused with 429 by a rate limit, by limit.",
    ("limit",),
    registry=_REGISTRY,
)
GROUP_COMMITS = Counter(
    "yimen_group_commits",
    "Transactions of writes committed together, by group and outcome (ok, or failed: "
    "written again one write at a time).",
    ("group", "outcome"),
    registry=_REGISTRY,
)
GROUP_COMMIT_WRITES = Counter(
    "yimen_group_commit_writes",
    "Writes in those transactions, by group: over yimen_group_commits_total, the writes "
    "per transaction.",
    ("group",),
    registry=_REGISTRY,
)


class _Tally:
    __slots__ = ("buckets", "count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * len(_BOUNDS)


class RequestCounts:
    """The requests of this process, tallied in plain integers and handed to the metrics
    by `flush` (each second, and before a scrape): counting a request through
    prometheus-client costs tens of microseconds in multiprocess mode (a lock, a pid check
    and a file write per series), more than a small request itself."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str, int], _Tally] = {}

    def count(self, method: str, route: str, status: int, seconds: float) -> None:
        if method not in _METHODS:
            method = "other"  # a client may send any token as its method
        key = (method, route, status)
        tally = self._pending.get(key)
        if tally is None:
            tally = self._pending[key] = _Tally()
        tally.count += 1
        tally.seconds += seconds
        tally.buckets[bisect.bisect_left(_BOUNDS, seconds)] += 1

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for (method, route, status), tally in pending.items():
            HTTP_REQUESTS.labels(method, route, str(status)).inc(tally.count)
            # Many observations at once: a histogram child keeps a sum and a value per
            # bucket (not cumulative), which is all that observe() itself adds to.
            histogram = HTTP_DURATION.labels(method, route)
            histogram._sum.inc(tally.seconds)
            for bucket, hits in zip(histogram._buckets, tally.buckets, strict=True):
                if hits:
                    bucket.inc(hits)


# This process's requests, counted by the app's entry; module-level like the counters.
REQUESTS = RequestCounts()
# How often a process hands its tallied requests to the metrics.
FLUSH_EVERY = 1.0


async def flush_requests() -> None:
    REQUESTS.flush()


def count_job(job: str, outcome: JobOutcome) -> None:
    JOBS.labels(job, outcome).inc()


def count_push(provider: str, status: str, amount: int = 1) -> None:
    """`amount` messages to `provider` were answered with `status` (the sender's outcome)."""
    PUSH_DELIVERIES.labels(provider, status).inc(amount)


def count_scan(verdict: str) -> None:
    """A scan ended with `verdict`: `valid`, or the reason it was not."""
    SCANS.labels(verdict).inc()


def count_otp(outcome: OtpOutcome | str, count: int = 1) -> None:
    OTP_CODES.labels(outcome).inc(count)


def count_rate_limited(limit: str) -> None:
    RATE_LIMITED.labels(limit).inc()


def count_group_commit(group: str, writes: int, *, ok: bool) -> None:
    GROUP_COMMITS.labels(group, "ok" if ok else "failed").inc()
    GROUP_COMMIT_WRITES.labels(group).inc(writes)


class Reading:
    """A gauge read when scraped: its name, help, and its values by label."""

    def __init__(self, name: str, documentation: str, labels: Iterable[str] = ()) -> None:
        self._family = GaugeMetricFamily(name, documentation, labels=list(labels))

    def add(self, value: float, *labels: str) -> Reading:
        self._family.add_metric(list(labels), value)
        return self

    @property
    def family(self) -> Metric:
        return self._family


class _Readings:
    def __init__(self, readings: Iterable[Reading]) -> None:
        self._families = [r.family for r in readings]

    def collect(self) -> Iterator[Metric]:
        yield from self._families


def exposition(readings: Iterable[Reading] = ()) -> bytes:
    """The Prometheus text of every counter (of every process sharing the directory, in
    multiprocess mode) and of the gauges read for this scrape."""
    REQUESTS.flush()
    registry = _counters()
    registry.register(_Readings(readings))
    return generate_latest(registry)


def _counters() -> CollectorRegistry:
    """A registry of the counters: this host's pooled ones in multiprocess mode, else this
    process's own."""
    registry = CollectorRegistry(auto_describe=False)
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Own())
    return registry


def serve_counters(host: str, port: int) -> None:
    """Serve the counters as Prometheus text on a port of their own (any path answers), in
    a thread beside this process's work: how a `yimen worker` on a host without an API is
    scraped, or an API whose `/metrics` stays closed. No token: the port is for the
    monitoring network only, which is what its address is chosen for. The gauges read from
    the database and Redis are left to `/metrics`, which any API host serves."""
    start_http_server(port, addr=host, registry=_counters())


class _Own:
    """This process's counters, from memory."""

    def collect(self) -> Iterator[Metric]:
        yield from _REGISTRY.collect()


def share_directory(directory: Path) -> None:
    """Make `directory` where this process, and every process it starts, keeps its
    counters, beside those of the other live processes of this host that share it. Files
    left by processes no longer running are removed first: they are an earlier run's, whose
    counts would otherwise be added to this one's. The CLI calls this before any worker
    starts (a worker forked later writes files of its own, named by its pid)."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        pid = path.stem.rpartition("_")[2]
        if pid.isdigit() and not _running(int(pid)):
            path.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    # prometheus-client picks how it keeps values when first imported; this process may
    # have imported it before the directory was known, and its forked workers inherit it.
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def leave_directory() -> None:
    """On a process's way out: drop what only a live process may report (live gauges, none
    today); its counts stay in the totals."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory and os.path.isdir(directory):
        mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


__all__ = [
    "CONTENT_TYPE",
    "FLUSH_EVERY",
    "REQUESTS",
    "UNMATCHED_ROUTE",
    "JobOutcome",
    "OtpOutcome",
    "Reading",
    "RequestCounts",
    "count_job",
    "count_otp",
    "count_push",
    "count_rate_limited",
    "count_scan",
    "exposition",
    "flush_requests",
    "leave_directory",
    "serve_counters",
    "share_directory",
]
