"""Figures of a comparison: overlays of the what-if on the baseline, and paired differences.

Both kinds draw medians over replicates with 5-95% bands, one panel per key series (the focus
series first, then the largest clear effects, see :func:`sim.report.effects.key_series`), in the
conventions of :mod:`sim.plots`: y-axis labels with units, full state names, event dates of the
what-if marked and listed, the band named in the legend only when it is wider than the line,
legends outside the panels. Differences of shares are drawn in percentage points, as the summary
speaks of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.focus import in_points
from sim.outcomes import BY_NAME
from sim.plots import (
    BAND_ALPHA,
    band_entry,
    band_visible,
    event_marks,
    event_note,
    outside_legend,
    panel_title,
    panels,
    time_axis,
    y_axis,
)
from sim.report.effects import key_series, series_title

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

    from sim.plots import Mark
    from sim.report.compare import Comparison

BASE_COLOR = "#777777"
WHATIF_COLOR = "#CC6677"
DIFF_COLOR = "#332288"
WHATIF_DASH = (0, (5, 2))
"""The what-if is dashed over the solid baseline: where they coincide, both stay visible."""


def _marks(comp: Comparison, scenario: str) -> list[Mark]:
    return event_marks(comp.results[comp.names.index(scenario)].fired)


def overlay_figure(
    comp: Comparison, scenario: str, series: list[tuple[str, str, str]] | None = None
) -> Figure:
    """What-if and baseline, medians with 5-95% bands, one panel per series."""
    from matplotlib.lines import Line2D

    series = series or key_series(comp, scenario)
    marks = _marks(comp, scenario)
    fig, axes = panels(len(series), marks=marks)
    visible = False
    for ax, (m, s, p) in zip(axes, series):
        b = comp.bands(scenario, m, s, p)
        dates = list(b["date"])
        ax.plot(b.index, b["base_median"], color=BASE_COLOR, lw=1.8)
        ax.fill_between(
            b.index, b["base_q05"], b["base_q95"], color=BASE_COLOR, alpha=BAND_ALPHA, lw=0
        )
        ax.plot(b.index, b["value_median"], color=WHATIF_COLOR, lw=1.8, ls=WHATIF_DASH)
        ax.fill_between(
            b.index, b["value_q05"], b["value_q95"], color=WHATIF_COLOR, alpha=BAND_ALPHA, lw=0
        )
        panel_title(ax, series_title(comp, m, s, p))
        y_axis(ax, m)
        time_axis(ax, dates, marks)
        visible |= band_visible(ax, b["base_q05"], b["base_q95"]) or band_visible(
            ax, b["value_q05"], b["value_q95"]
        )
    handles: list[Artist] = [
        Line2D([], [], color=BASE_COLOR, lw=1.8),
        Line2D([], [], color=WHATIF_COLOR, lw=1.8, ls=WHATIF_DASH),
    ]
    labels = [f"{comp.baseline} (median)", f"{scenario} (median)"]
    h, lab = band_entry(visible, len(comp.seeds))
    outside_legend(fig, [*handles, h], [*labels, lab])
    fig.suptitle(f"{scenario} vs {comp.baseline}: medians over {len(comp.seeds)} replicates")
    event_note(fig, marks)
    return fig


def difference_figure(
    comp: Comparison, scenario: str, series: list[tuple[str, str, str]] | None = None
) -> Figure:
    """Paired differences (what-if minus baseline, per replicate): median and 5-95% band;
    shares in percentage points."""
    from matplotlib.lines import Line2D

    series = series or key_series(comp, scenario)
    marks = _marks(comp, scenario)
    fig, axes = panels(len(series), marks=marks)
    visible = False
    for ax, (m, s, p) in zip(axes, series):
        b = comp.bands(scenario, m, s, p)
        k = 100.0 if in_points(m) else 1.0
        ax.axhline(0.0, color="black", lw=0.7)
        ax.plot(b.index, k * b["diff_median"], color=DIFF_COLOR, lw=1.8)
        ax.fill_between(
            b.index, k * b["diff_q05"], k * b["diff_q95"], color=DIFF_COLOR, alpha=0.25, lw=0
        )
        panel_title(ax, series_title(comp, m, s, p))
        unit = "percentage points" if k != 1.0 else (BY_NAME[m].unit if m in BY_NAME else "")
        y_axis(ax, m, unit=f"difference ({unit})" if unit else "difference")
        lo, hi = ax.get_ylim()
        ax.set_ylim(min(lo, 0.0), max(hi, 0.0))  # zero always on the axis
        time_axis(ax, list(b["date"]), marks)
        visible |= band_visible(ax, k * b["diff_q05"], k * b["diff_q95"])
    h, lab = band_entry(visible, len(comp.seeds), paired=True)
    outside_legend(
        fig, [Line2D([], [], color=DIFF_COLOR, lw=1.8), h], ["median paired difference", lab]
    )
    fig.suptitle(f"{scenario} minus {comp.baseline}, paired by replicate")
    event_note(fig, marks)
    return fig


def write_figures(comp: Comparison, folder: Path) -> dict[str, list[Path]]:
    """Write the overlay and difference PNGs of every what-if; returns what-if -> PNG paths."""
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
