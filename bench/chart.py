"""The PNG beside each results file: every figure against its target and the previous report,
its spread as a bar from its lowest to its highest round."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

COLUMNS = 3
NOW, BEFORE, WORSE, MISSED = "#2b6cb0", "#a0aec0", "#c53030", "#dd6b20"


def draw(now: dict[str, Any], previous: dict[str, Any] | None, path: Path) -> None:
    """Write the chart of `now` (a results file's content) beside `previous`'s to `path`."""
    import matplotlib

    matplotlib.use("Agg")  # no display: the chart is only written
    import matplotlib.pyplot as plt

    panels = [
        (bench, name, figure)
        for bench, result in now["benches"].items()
        for name, figure in result.get("figures", {}).items()
    ]
    flagged = {(r["bench"], r["figure"]) for r in now.get("regressions", [])}
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    fig, axes = plt.subplots(rows, COLUMNS, figsize=(4.2 * COLUMNS, 3.1 * rows), squeeze=False)
    for ax, (bench, name, figure) in zip(axes.flat, panels, strict=False):
        before = ((previous or {}).get("benches", {}).get(bench) or {}).get("figures", {})
        void = bool(now["benches"][bench].get("void"))
        _panel(ax, bench, name, figure, before.get(name), (bench, name) in flagged, void)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle(
        f"{now['date']} {now['commit']} ({now['size']})"
        + (f" against {now['previous']}" if now.get("previous") else ", no previous report")
    )
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _panel(
    ax: Any,
    bench: str,
    name: str,
    figure: dict[str, Any],
    before: dict[str, Any] | None,
    regressed: bool,
    void: bool,
) -> None:
    bars = [("previous", before, BEFORE)] if before else []
    colour = WORSE if regressed else MISSED if figure.get("met") is False else NOW
    bars.append(("now", figure, colour))
    for x, (_, shown, fill) in enumerate(bars):
        # A void run's figure is drawn hatched: it measured something else than it claims.
        hatch = "//" if void and shown is figure else None
        ax.bar(x, shown["value"], color=fill, width=0.6, hatch=hatch)
        spread = shown.get("spread")
        if spread:
            ax.plot([x, x], spread, color="black", linewidth=2)
    if figure.get("target") is not None:
        sign = "≥" if figure["better"] == "higher" else "≤"
        ax.axhline(figure["target"], color="black", linestyle="--", linewidth=1)
        ax.annotate(f"target {sign} {figure['target']:g}", (0.02, 0.92), xycoords="axes fraction")
    ax.set_xticks(range(len(bars)), [label for label, _, _ in bars])
    ax.set_xlim(-0.8, 1.8)
    title = f"{bench}\n{name} ({figure['unit']}, {figure['better']} is better)"
    mark = "\nREGRESSION" if regressed else "\nVOID RUN" if void else ""
    ax.set_title(title + mark, fontsize=8)
    ax.tick_params(labelsize=8)
