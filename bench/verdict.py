"""What bench/run_all makes of the benches' outputs: their figures in the shared form
(common.report), several runs of one bench taken together, and the regressions against the
previous results file.

A regression is a figure that moved the wrong way by more than its spread: the wider of the
two runs' spreads (the lowest to the highest its rounds took), so a bench whose rounds
scatter widely is not flagged for what it does on its own."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

Figures = dict[str, dict[str, Any]]


def objects_in(text: str) -> list[dict[str, Any]]:
    """The JSON objects in a bench's output, in order: each starts at the start of a line
    (whatever else the bench's processes printed is passed over)."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while (start := _next_object(text, at)) >= 0:
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            at = start + 1
            continue
        if isinstance(value, dict):
            found.append(value)
        at = end
    return found


def _next_object(text: str, at: int) -> int:
    if text.startswith("{", at) and (at == 0 or text[at - 1] == "\n"):
        return at
    line = text.find("\n{", at)
    return line + 1 if line >= 0 else -1


def shared_form(bench: str, output: dict[str, Any]) -> dict[str, Any]:
    """The output, which must be in the shared form."""
    if "figures" in output:
        return output
    raise ValueError(f"{bench} printed no figures in the shared form (bench/common.py report)")


def lacks_spread(output: dict[str, Any]) -> bool:
    """Whether the bench measured no spread of its own: then it is run again for one."""
    return all(f.get("spread") is None for f in output["figures"].values())


def together(outputs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of one bench as one: each figure the median of the runs, its spread
    from the lowest to the highest any run saw; the details and voids of every run."""
    if len(outputs) == 1:
        return outputs[0]
    first = outputs[0]
    figures: Figures = {}
    for name, shape in first["figures"].items():
        runs = [o["figures"][name] for o in outputs if name in o["figures"]]
        values = [f["value"] for f in runs]
        ends = [end for f in runs for end in (f.get("spread") or [f["value"]] * 2)]
        value = statistics.median(values)
        figures[name] = {
            **shape,
            "value": value,
            "spread": [min(ends), max(ends)],
            "met": None if shape["target"] is None else met(shape, value),
        }
    voids = [o["void"] for o in outputs if o.get("void")]
    return {
        **first,
        "figures": figures,
        "details": {"runs": [o.get("details") for o in outputs]},
        "void": "; ".join(voids) or None,
    }


def met(shape: dict[str, Any], value: float) -> bool:
    higher = shape["better"] == "higher"
    return bool(value >= shape["target"] if higher else value <= shape["target"])


def regressions(now: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every figure of `now` that moved the wrong way from `previous` by more than the wider
    of their spreads; benches whose run failed or was void on either side are not judged."""
    if previous is None:
        return []
    found = []
    for bench, result in now["benches"].items():
        before = previous.get("benches", {}).get(bench)
        if not judged(result) or before is None or not judged(before):
            continue
        for name, figure in result["figures"].items():
            earlier = before["figures"].get(name)
            if earlier is None:
                continue
            change = figure["value"] - earlier["value"]
            worse = -change if figure["better"] == "higher" else change
            allowed = max(width(figure), width(earlier))
            if worse > allowed:
                found.append(
                    {
                        "bench": bench,
                        "figure": name,
                        "previous": earlier["value"],
                        "value": figure["value"],
                        "worse_by": round(worse, 6),
                        "spread": round(allowed, 6),
                    }
                )
    return found


def judged(result: dict[str, Any]) -> bool:
    return not result.get("error") and not result.get("void") and "figures" in result


def width(figure: dict[str, Any]) -> float:
    spread = figure.get("spread")
    return float(spread[1] - spread[0]) if spread else 0.0


def missed_targets(now: dict[str, Any]) -> list[str]:
    return [
        f"{bench}.{name}"
        for bench, result in now["benches"].items()
        for name, figure in result.get("figures", {}).items()
        if figure.get("met") is False
    ]


def previous_results(folder: Path, size: str, *, besides: Path) -> Path | None:
    """The latest results file in `folder` for the same dataset size, other than `besides`."""
    candidates = []
    for path in folder.glob("*.json"):
        if path.resolve() == besides.resolve():
            continue
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(results, dict) and results.get("size") == size:
            candidates.append((str(results.get("finished_at", "")), path.name, path))
    return max(candidates)[2] if candidates else None
