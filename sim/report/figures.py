"""Figures of a comparison: overlays of the what-if on the baseline, and paired differences.

Both kinds draw medians over replicates with 5-95% bands, one panel per key series (the
largest clear effects, see :func:`sim.report.effects.key_series`). Dashed vertical lines mark the
dates of the differences table.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from sim.report.effects import key_series, series_title

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.report.compare import Comparison

BASE_COLOR = "#7f8c8d"
WHATIF_COLOR = "#c0392b"
DIFF_COLOR = "#2e86c1"


def _use_agg() -> None:
    """Draw off-screen; called before pyplot is imported (it loads on first use only)."""
    import matplotlib

    matplotlib.use("Agg", force=True)


def _panels(n: int) -> tuple[Figure, list[Axes]]:
    import matplotlib.pyplot as plt

    cols = min(3, max(1, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.2 * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n]


def _dates(ax: Axes, b: pd.DataFrame, at: list[str]) -> None:
    dates = list(b["date"])
    step = max(1, len(dates) // 5)
    ticks = list(b.index)[::step]
    ax.set_xticks(ticks)
    ax.set_xticklabels(
        [dates[i] for i in range(0, len(dates), step)], rotation=30, ha="right", fontsize=7
    )
    for d in at:
        if d in dates:
            ax.axvline(list(b.index)[dates.index(d)], color="#555", ls=":", lw=0.8)


def overlay_figure(
    comp: Comparison, scenario: str, series: list[tuple[str, str, str]] | None = None
) -> Figure:
    """What-if and baseline, medians with 5-95% bands, one panel per series."""
    _use_agg()
    series = series or key_series(comp, scenario)
    fig, axes = _panels(len(series))
    for ax, (m, s, p) in zip(axes, series):
        b = comp.bands(scenario, m, s, p)
        ax.plot(b.index, b["base_median"], color=BASE_COLOR, label=comp.baseline)
        ax.fill_between(b.index, b["base_q05"], b["base_q95"], color=BASE_COLOR, alpha=0.2, lw=0)
        ax.plot(b.index, b["value_median"], color=WHATIF_COLOR, label=scenario)
        ax.fill_between(
            b.index, b["value_q05"], b["value_q95"], color=WHATIF_COLOR, alpha=0.2, lw=0
        )
        ax.set_title(series_title(comp, m, s, p), fontsize=8.5)
        _dates(ax, b, comp.at)
        ax.legend(fontsize=7)
    fig.suptitle(
        f"{scenario} vs {comp.baseline}: medians and 5-95% bands ({len(comp.seeds)} replicates)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def difference_figure(
    comp: Comparison, scenario: str, series: list[tuple[str, str, str]] | None = None
) -> Figure:
    """Paired differences (what-if minus baseline, per replicate): median and 5-95% band."""
    _use_agg()
    series = series or key_series(comp, scenario)
    fig, axes = _panels(len(series))
    for ax, (m, s, p) in zip(axes, series):
        b = comp.bands(scenario, m, s, p)
        ax.axhline(0.0, color="black", lw=0.7)
        ax.plot(b.index, b["diff_median"], color=DIFF_COLOR, label="paired difference")
        ax.fill_between(
            b.index, b["diff_q05"], b["diff_q95"], color=DIFF_COLOR, alpha=0.25, lw=0, label="5-95%"
        )
        ax.set_title(series_title(comp, m, s, p), fontsize=8.5)
        _dates(ax, b, comp.at)
        ax.legend(fontsize=7)
    fig.suptitle(f"{scenario} minus {comp.baseline}, paired by replicate", fontsize=10)
    fig.tight_layout()
    return fig


def write_figures(comp: Comparison, folder: Path) -> dict[str, list[Path]]:
    """Write the overlay and difference PNGs of every what-if; returns what-if -> PNG paths."""
    _use_agg()
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for sc in comp.whatifs:
        series = key_series(comp, sc)
        paths = []
        safe = sc.replace("#", "_")
        for kind, fn in (("overlay", overlay_figure), ("difference", difference_figure)):
            fig = fn(comp, sc, series)
            path = folder / f"{safe}_{kind}.png"
            fig.savefig(path, dpi=100)
            plt.close(fig)
            paths.append(path)
        out[sc] = paths
    return out
