"""CPU time from /proc: of a process with its descendants, and of the whole machine."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import NamedTuple


def process_seconds(pid: int) -> float:
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


class Cpu(NamedTuple):
    """CPU seconds spent so far by the API, the worker and the machine."""

    api: float
    worker: float
    machine: float

    @classmethod
    def now(cls, api_pid: int, worker_pid: int) -> Cpu:
        return cls(process_seconds(api_pid), process_seconds(worker_pid), busy_seconds())

    def ms_per_report(self, before: Cpu, reports: int) -> dict[str, float]:
        return {
            name: round((after - earlier) * 1000 / max(reports, 1), 2)
            for name, after, earlier in zip(self._fields, self, before, strict=True)
        }
